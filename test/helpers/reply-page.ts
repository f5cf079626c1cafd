// Driving the reply page through app.inject() as a browser without JavaScript would: GET the
// page, keep its CSRF cookie, read each form's hidden fields from the HTML, POST a form as
// application/x-www-form-urlencoded, follow the 303.
import type { LightMyRequestResponse } from 'fastify';
import { signLinkToken, stakeholderTokenKeys } from '../../src/auth/stakeholder-tokens.ts';
import type { LinkSubject } from '../../src/domain/link-access.ts';
import { AUTH_SECRET } from './http.ts';

type Injector = { inject(o: { method?: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }): Promise<LightMyRequestResponse> };

export const LINK_KEYS = stakeholderTokenKeys(AUTH_SECRET);

/** The personal link token of one contact of a stakeholder. */
export function linkToken(consultationId: string, stakeholderId: string, contactId: string): Promise<string> {
  const subject: LinkSubject = { consultationId, stakeholderId, contactId };
  return signLinkToken(LINK_KEYS, subject);
}

export interface PageForm {
  action: string;
  fields: Record<string, string>;
}

/** The forms of a page: each one's action and its hidden fields. */
export function formsOf(html: string): PageForm[] {
  return html.split('<form').slice(1).map((chunk) => {
    const body = chunk.slice(0, chunk.indexOf('</form>'));
    const action = /action="([^"]+)"/.exec(body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const fields: Record<string, string> = {};
    for (const m of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!;
    return { action, fields };
  });
}

/** A browser session on the page: its cookies, and the page it last read. */
export class PageSession {
  cookies = new Map<string, string>();
  html = '';
  constructor(private readonly app: Injector, readonly token: string) {}

  get base(): string {
    return `/r/${this.token}`;
  }

  private keep(res: LightMyRequestResponse): void {
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async open(query = ''): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ url: `${this.base}${query}`, headers: this.cookieHeader() });
    this.keep(res);
    this.html = res.body;
    return res;
  }

  /** POSTs these fields to an action as they are (a form kept from an earlier page, say). */
  async post(action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'POST', url: action, payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader() },
    });
    this.keep(res);
    if (res.statusCode !== 303) this.html = res.body;
    return res;
  }

  /** The form posting to `name` (respond forms: the one whose `response` is given). */
  form(name: string, response?: string): PageForm {
    const form = formsOf(this.html).find((f) => f.action.startsWith(`${this.base}/${name}?`) && (response === undefined || f.fields['response'] === response));
    if (!form) throw new Error(`no ${name} form on the page`);
    return form;
  }

  /** POSTs a form with the page's hidden fields and these; follows a 303 to the page. */
  async submit(name: string, fields: Record<string, string>, options: { response?: string; follow?: boolean; without?: string[] } = {}) {
    const form = this.form(name, options.response);
    const all: Record<string, string> = { ...form.fields, ...fields };
    for (const f of options.without ?? []) delete all[f];
    const res = await this.app.inject({
      method: 'POST', url: form.action, payload: new URLSearchParams(all).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader() },
    });
    this.keep(res);
    if (res.statusCode === 303 && options.follow !== false) {
      const page = await this.app.inject({ url: String(res.headers.location), headers: this.cookieHeader() });
      this.keep(page);
      this.html = page.body;
      return { post: res, page };
    }
    if (res.statusCode !== 303) this.html = res.body;
    return { post: res, page: res };
  }
}

/** The page's text without its markup (for matching words). */
export function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\s+/g, ' ');
}
