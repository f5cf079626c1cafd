// The two layouts every message is rendered with (eta 4): HTML through an instance that escapes
// every interpolation (`<%= %>`), text through a second instance that escapes nothing. The layouts
// hold no words: they lay out a Rendered model (render.ts) whose texts come from the catalogues.
// Templates are kept in code, not files, so that the compiled build needs nothing beside dist/.
import { Eta } from 'eta';

/** What a layout lays out: every string is plain text. */
export interface Layout {
  lang: string;
  subject: string;
  marker: string;
  greeting: string;
  paragraphs: string[];
  facts: Array<{ label: string; value: string }>;
  /** labelled lists, one after the other (a digest's sections), each with a line after it if it has one */
  lists: Array<{ label: string; items: string[]; after?: string }>;
  /** a text of the coordinators' (a draft's note, a reminder's message): its lines kept */
  note: { label: string; lines: string[] } | null;
  /** the personal link; null: a message with none (the office's digest) */
  link: { label: string; url: string } | null;
  footer: string[];
  signOff: string;
  signature: string;
}

const HTML = `<!DOCTYPE html>
<html lang="<%= it.lang %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.subject %></title>
</head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f1f1f;">
<p style="margin:0 0 16px;padding-bottom:4px;border-bottom:1px solid #c8c8c8;color:#6b6b6b;font-size:12px;"><%= it.marker %></p>
<p><%= it.greeting %></p>
<% for (const p of it.paragraphs) { -%>
<p><%= p %></p>
<% } -%>
<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0;border-collapse:collapse;">
<% for (const f of it.facts) { -%>
<tr><th scope="row" align="left" valign="top" style="padding:2px 16px 2px 0;font-weight:bold;"><%= f.label %></th><td style="padding:2px 0;"><%= f.value %></td></tr>
<% } -%>
</table>
<% for (const list of it.lists) { -%>
<p style="margin-bottom:4px;font-weight:bold;"><%= list.label %></p>
<ul style="margin-top:0;">
<% for (const item of list.items) { -%>
<li><%= item %></li>
<% } -%>
</ul>
<% if (list.after) { -%>
<p style="margin-top:0;"><%= list.after %></p>
<% } -%>
<% } -%>
<% if (it.note) { -%>
<p style="margin-bottom:4px;font-weight:bold;"><%= it.note.label %></p>
<blockquote style="margin:0 0 16px;padding-left:12px;border-left:3px solid #c8c8c8;">
<% for (const line of it.note.lines) { %><%= line %><br>
<% } -%>
</blockquote>
<% } -%>
<% if (it.link) { -%>
<p style="margin:24px 0;"><a href="<%= it.link.url %>" style="display:inline-block;padding:10px 18px;background:#1d4f91;color:#ffffff;text-decoration:none;border-radius:4px;"><%= it.link.label %></a></p>
<p style="font-size:13px;color:#555555;word-break:break-all;"><%= it.link.url %></p>
<% } -%>
<p style="font-size:13px;color:#555555;">
<% for (const line of it.footer) { %><%= line %><br>
<% } -%>
</p>
<p><%= it.signOff %><br><%= it.signature %></p>
</body>
</html>
`;

const TEXT = `<%= it.marker %>

<%= it.greeting %>

<% for (const p of it.paragraphs) { -%>
<%= p %>

<% } -%>
<% for (const f of it.facts) { -%>
<%= f.label %>: <%= f.value %>
<% } -%>
<% for (const list of it.lists) { %>
<%= list.label %>:
<% for (const item of list.items) { -%>
  - <%= item %>
<% } -%>
<% if (list.after) { -%>
<%= list.after %>
<% } -%>
<% } -%>
<% if (it.note) { %>
<%= it.note.label %>:
<% for (const line of it.note.lines) { -%>
  <%= line %>
<% } -%>
<% } %>
<% if (it.link) { -%>
<%= it.link.label %>:
<%= it.link.url %>

<% } -%>
<% for (const line of it.footer) { -%>
<%= line %>
<% } %>
<%= it.signOff %>
<%= it.signature %>
`;

const html = new Eta({ autoEscape: true, autoTrim: false, useWith: false, cache: true });
html.loadTemplate('@message.html', HTML);
const text = new Eta({ autoEscape: false, autoTrim: false, useWith: false, cache: true });
text.loadTemplate('@message.txt', TEXT);

export function renderHtml(layout: Layout): string {
  return html.render('@message.html', layout);
}

export function renderText(layout: Layout): string {
  return text.render('@message.txt', layout);
}
