// The reply page's templates (eta 4, escaping every `<%= %>`): a layout, the page itself, the page
// of a refused link and an error page. They hold no words (the catalogues do) and no inline script
// or style (the CSP allows neither): the look is one stylesheet, served beside them (style.ts).
// Kept in code, not files, so that the compiled build needs nothing beside dist/.
import { Eta } from 'eta';
import type { PageCatalogue } from './catalogue.ts';

/** What every page's head and header need. */
export interface Frame {
  lang: string;
  title: string;
  t: PageCatalogue;
  /** the language switch: links to this page in each language */
  languages: Array<{ code: string; name: string; href: string; current: boolean }>;
  stylesheet: string;
}

const LAYOUT = `<!DOCTYPE html>
<html lang="<%= it.frame.lang %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><%= it.frame.title %></title>
<link rel="stylesheet" href="<%= it.frame.stylesheet %>">
</head>
<body>
<a class="skip" href="#main"><%= it.frame.t.skipToContent %></a>
<header>
<nav aria-label="<%= it.frame.t.switchLanguage %>">
<ul class="languages">
<% for (const l of it.frame.languages) { -%>
<li><a href="<%= l.href %>" lang="<%= l.code %>" hreflang="<%= l.code %>"<% if (l.current) { %> aria-current="page"<% } %>><%= l.name %></a></li>
<% } -%>
</ul>
</nav>
</header>
<main id="main">
<%~ it.body %>
</main>
</body>
</html>
`;

/** A text kept as its lines (the template writes each, escaped, with a line break between). */
const LINES = `<% it.lines.forEach((line, i) => { %><% if (i > 0) { %><br>
<% } %><%= line %><% }) %>`;

const FIELD_ERROR = `<% if (it.error) { %><p class="field-error" id="<%= it.id %>-error"><%= it.error %></p><% } %>`;

const PAGE = `<h1><%= it.heading %></h1>
<p><%= it.ledBy %></p>
<p><%= it.forWhom %> <%= it.t.personalLink %></p>
<% if (it.notice) { -%>
<div class="notice" role="status" id="notice"><p><%= it.notice %></p></div>
<% } -%>
<% if (it.problem) { -%>
<div class="problem" role="alert" id="problem"><h2><%= it.t.problemHeading %></h2><p><%= it.problem %></p></div>
<% } -%>
<% if (it.closed) { -%>
<section aria-labelledby="closed-heading">
<h2 id="closed-heading"><%= it.t.closed.heading %></h2>
<p><%= it.closed.outcome %></p>
<p><%= it.closed.readOnlyUntil %></p>
</section>
<% } -%>
<section aria-labelledby="deadlines-heading">
<h2 id="deadlines-heading"><%= it.t.deadlines.heading %></h2>
<% if (it.deadlines.length === 0) { -%>
<p><%= it.t.deadlines.none %></p>
<% } else { -%>
<dl class="facts">
<% for (const d of it.deadlines) { -%>
<dt><%= d.label %></dt><dd><%= d.value %></dd>
<% } -%>
</dl>
<% } -%>
</section>
<% if (it.invitation) { -%>
<section aria-labelledby="invitation-heading" id="invitation">
<h2 id="invitation-heading"><%= it.t.invitation.heading %></h2>
<p><%= it.invitation.status %></p>
<% if (it.invitation.forms) { -%>
<form method="post" action="<%= it.invitation.action %>" class="inline">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= it.invitation.acceptId %>">
<input type="hidden" name="response" value="accept">
<button type="submit"><%= it.t.invitation.accept %></button>
</form>
<form method="post" action="<%= it.invitation.action %>">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= it.invitation.declineId %>">
<input type="hidden" name="response" value="decline">
<label for="decline-reason"><%= it.t.invitation.declineReason %></label>
<textarea id="decline-reason" name="reason" rows="2"></textarea>
<button type="submit" class="secondary"><%= it.t.invitation.decline %></button>
</form>
<% } -%>
</section>
<% } -%>
<% if (it.draft) { -%>
<section aria-labelledby="draft-heading" id="draft">
<h2 id="draft-heading"><%= it.draft.heading %></h2>
<% if (it.draft.note) { -%>
<p class="note"><strong><%= it.t.draft.note %>:</strong> <%~ include('@lines', { lines: it.draft.note }) %></p>
<% } -%>
<% for (const s of it.draft.sections) { -%>
<article aria-labelledby="section-<%= s.key %>" id="s-<%= s.key %>">
<h3 id="section-<%= s.key %>"><%= s.key %>. <%= s.heading %></h3>
<% if (s.untranslated) { %><p class="hint"><%= s.untranslated %></p><% } %>
<div<% if (s.textLang) { %> lang="<%= s.textLang %>"<% } %>>
<% for (const p of s.paragraphs) { -%>
<p><%~ include('@lines', { lines: p }) %></p>
<% } -%>
</div>
<% if (s.commentHref) { %><p><a href="<%= s.commentHref %>"><%= s.commentLabel %></a></p><% } %>
</article>
<% } -%>
</section>
<% } else if (it.noDraft) { -%>
<p><%= it.t.draft.none %></p>
<% } -%>
<% if (it.commentForm) { const f = it.commentForm; -%>
<section aria-labelledby="comment-heading" id="comment">
<h2 id="comment-heading"><%= it.t.comment.heading %></h2>
<form method="post" action="<%= f.action %>">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= f.commandId %>">
<input type="hidden" name="draftVersion" value="<%= f.draftVersion %>">
<label for="comment-section"><%= it.t.comment.section %></label>
<select id="comment-section" name="section">
<% for (const o of f.options) { -%>
<option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option>
<% } -%>
</select>
<label for="comment-text"><%= it.t.comment.text %></label>
<%~ include('@field-error', { id: 'comment-text', error: f.errors.text }) %>
<textarea id="comment-text" name="text" rows="6" required<% if (f.errors.text) { %> aria-invalid="true" aria-describedby="comment-text-error"<% } %>><%= f.values.text %></textarea>
<label for="comment-proposed"><%= it.t.comment.proposed %></label>
<p class="hint" id="comment-proposed-hint"><%= it.t.comment.proposedHint %></p>
<%~ include('@field-error', { id: 'comment-proposed', error: f.errors.proposedText }) %>
<textarea id="comment-proposed" name="proposedText" rows="4" aria-describedby="comment-proposed-hint<% if (f.errors.proposedText) { %> comment-proposed-error<% } %>"<% if (f.errors.proposedText) { %> aria-invalid="true"<% } %>><%= f.values.proposedText %></textarea>
<button type="submit"><%= it.t.comment.send %></button>
</form>
</section>
<% } -%>
<% if (it.review) { -%>
<section aria-labelledby="review-heading" id="review">
<h2 id="review-heading"><%= it.t.review.heading %></h2>
<% if (it.review.done) { -%>
<p><%= it.review.done %></p>
<% } else { -%>
<p><%= it.review.explain %></p>
<form method="post" action="<%= it.review.action %>">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= it.review.commandId %>">
<input type="hidden" name="draftVersion" value="<%= it.review.draftVersion %>">
<button type="submit"><%= it.t.review.button %></button>
</form>
<% } -%>
</section>
<% } -%>
<% if (it.endorsement) { const e = it.endorsement; -%>
<section aria-labelledby="endorsement-heading" id="endorsement">
<h2 id="endorsement-heading"><%= e.heading %></h2>
<p><%= e.status %></p>
<% if (e.forms) { -%>
<p><%= it.t.endorsement.explain %></p>
<form method="post" action="<%= e.endorseAction %>">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= e.endorseId %>">
<input type="hidden" name="draftVersion" value="<%= e.draftVersion %>">
<label for="signatory-name"><%= it.t.endorsement.signatoryName %></label>
<%~ include('@field-error', { id: 'signatory-name', error: e.errors.signatoryName }) %>
<input id="signatory-name" name="signatoryName" autocomplete="name" required value="<%= e.values.signatoryName %>"<% if (e.errors.signatoryName) { %> aria-invalid="true" aria-describedby="signatory-name-error"<% } %>>
<label for="signatory-title"><%= it.t.endorsement.signatoryTitle %></label>
<%~ include('@field-error', { id: 'signatory-title', error: e.errors.signatoryTitle }) %>
<input id="signatory-title" name="signatoryTitle" autocomplete="organization-title" required value="<%= e.values.signatoryTitle %>"<% if (e.errors.signatoryTitle) { %> aria-invalid="true" aria-describedby="signatory-title-error"<% } %>>
<label for="statement"><%= it.t.endorsement.statement %></label>
<%~ include('@field-error', { id: 'statement', error: e.errors.statement }) %>
<textarea id="statement" name="statement" rows="3"<% if (e.errors.statement) { %> aria-invalid="true" aria-describedby="statement-error"<% } %>><%= e.values.statement %></textarea>
<button type="submit"><%= it.t.endorsement.endorse %></button>
</form>
<h3><%= it.t.endorsement.withholdHeading %></h3>
<form method="post" action="<%= e.withholdAction %>">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="commandId" value="<%= e.withholdId %>">
<input type="hidden" name="draftVersion" value="<%= e.draftVersion %>">
<label for="withhold-reason"><%= it.t.endorsement.reason %></label>
<%~ include('@field-error', { id: 'withhold-reason', error: e.errors.reason }) %>
<textarea id="withhold-reason" name="reason" rows="3" required<% if (e.errors.reason) { %> aria-invalid="true" aria-describedby="withhold-reason-error"<% } %>><%= e.values.reason %></textarea>
<button type="submit" class="secondary"><%= it.t.endorsement.withhold %></button>
</form>
<% } -%>
</section>
<% } -%>
<section aria-labelledby="comments-heading" id="comments">
<h2 id="comments-heading"><%= it.t.comments.heading %></h2>
<% if (it.comments.length === 0) { -%>
<p><%= it.t.comments.none %></p>
<% } else { -%>
<ol class="comments">
<% for (const c of it.comments) { -%>
<li id="comment-<%= c.ref %>">
<h3><span class="ref"><%= c.ref %></span> <%= c.where %> (<%= c.version %>)</h3>
<p class="meta"><%= c.by %> · <%= c.at %> · <strong><%= c.status %></strong></p>
<blockquote><p><%~ include('@lines', { lines: c.text }) %></p></blockquote>
<% if (c.proposed) { %><p><strong><%= it.t.comments.proposed %>:</strong> <%~ include('@lines', { lines: c.proposed }) %></p><% } %>
<% if (c.answer) { %><div class="answer"><p><strong><%= c.answer.label %></strong></p><p><%~ include('@lines', { lines: c.answer.response }) %></p></div><% } %>
</li>
<% } -%>
</ol>
<% } -%>
</section>
`;

const REFUSED = `<h1><%= it.heading %></h1>
<p><%= it.lead %></p>
<% if (it.asked) { -%>
<div class="notice" role="status" id="notice"><p><%= it.t.refused.asked %></p></div>
<% } else if (it.ask) { -%>
<p><%= it.t.refused.askExplain %></p>
<form method="post" action="<%= it.ask.action %>">
<input type="hidden" name="_csrf" value="<%= it.ask.csrf %>">
<button type="submit"><%= it.t.refused.askNewLink %></button>
</form>
<% } -%>
<p><%= it.t.refused.writeToCoordinator %></p>
`;

const ERROR = `<h1><%= it.heading %></h1>
<p><%= it.message %></p>
<% if (it.back) { %><p><a href="<%= it.back %>"><%= it.t.error.backToPage %></a></p><% } %>
`;

const eta = new Eta({ autoEscape: true, autoTrim: false, useWith: false, cache: true });
eta.loadTemplate('@layout', LAYOUT);
eta.loadTemplate('@lines', LINES);
eta.loadTemplate('@field-error', FIELD_ERROR);
eta.loadTemplate('@page', PAGE);
eta.loadTemplate('@refused', REFUSED);
eta.loadTemplate('@error', ERROR);

function framed(frame: Frame, name: string, model: object): string {
  return eta.render('@layout', { frame, body: eta.render(name, { ...model, t: frame.t }) });
}

/** Lines of a paragraph. */
export type Lines = string[];

export interface PageModel {
  heading: string;
  ledBy: string;
  forWhom: string;
  notice: string | null;
  problem: string | null;
  closed: { outcome: string; readOnlyUntil: string } | null;
  deadlines: Array<{ label: string; value: string }>;
  csrf: string;
  invitation: { status: string; forms: boolean; action: string; acceptId: string; declineId: string } | null;
  draft: {
    heading: string;
    note: Lines | null;
    sections: Array<{
      key: string; heading: string; untranslated: string | null; textLang: string | null; paragraphs: Lines[];
      commentHref: string | null; commentLabel: string;
    }>;
  } | null;
  noDraft: boolean;
  commentForm: {
    action: string; commandId: string; draftVersion: number;
    options: Array<{ value: string; label: string; selected: boolean }>;
    values: { text: string; proposedText: string };
    errors: { text?: string; proposedText?: string };
  } | null;
  review: { done: string | null; explain: string; action: string; commandId: string; draftVersion: number } | null;
  endorsement: {
    heading: string; status: string; forms: boolean; draftVersion: number;
    endorseAction: string; endorseId: string; withholdAction: string; withholdId: string;
    values: { signatoryName: string; signatoryTitle: string; statement: string; reason: string };
    errors: { signatoryName?: string; signatoryTitle?: string; statement?: string; reason?: string };
  } | null;
  comments: Array<{
    ref: string; where: string; version: string; by: string; at: string; status: string;
    text: Lines; proposed: Lines | null; answer: { label: string; response: Lines } | null;
  }>;
}

export function renderPage(frame: Frame, model: PageModel): string {
  return framed(frame, '@page', model);
}

export interface RefusedModel {
  heading: string;
  lead: string;
  /** the form asking the coordinator for a new link (a link whose signature holds, in an open consultation) */
  ask: { action: string; csrf: string } | null;
  asked: boolean;
}

export function renderRefused(frame: Frame, model: RefusedModel): string {
  return framed(frame, '@refused', model);
}

export function renderError(frame: Frame, model: { heading: string; message: string; back: string | null }): string {
  return framed(frame, '@error', model);
}
