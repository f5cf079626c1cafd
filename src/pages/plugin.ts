// The reply page: GET /r/<token> and its forms, an encapsulated plugin beside the API with its own
// auth (the personal link's token, judged against the consultation's state at every use:
// link.ts), its own HTML error pages, strict headers (helmet: a CSP without inline script or
// style, frame-ancestors 'none', Referrer-Policy no-referrer, so the token never leaves in a
// Referer), CSRF protection on every form (@fastify/csrf-protection, its secret in a cookie and
// each token bound to the link), form bodies (@fastify/formbody) and a rate limit per link (keyed
// by a hash of the token). Forms work without JavaScript: POST, then 303 to the page; what was not
// recorded is shown on the page in plain words, with what was typed.
//
// Routes live under a wildcard (/r/*) rather than /r/:token: a link token (a JWT) is longer than
// the router's limit on a path parameter, which the API keeps short. The request log names the
// route pattern, never the token (request-log.ts redacts an unmatched /r/… path too).
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deriveKey } from '../auth/keys.ts';
import { commands } from '../commands/index.ts';
import { newLinkCommandId } from '../commands/request-new-link.ts';
import { DomainError, type DomainErrorCode } from '../domain/errors.ts';
import { idFor } from '../domain/ids.ts';
import { AppError } from '../errors/catalogue.ts';
import type { App, HttpContext } from '../http/context.ts';
import { runCommand } from '../http/run-command.ts';
import { chooseLanguage, LANGUAGES, type Language } from '../mail/language.ts';
import { LANGUAGE_NAMES, pageCatalogue, type Done, type FormProblem, type PageCatalogue } from './catalogue.ts';
import { fieldProblems, FORMS, isFormName, type FormName } from './forms.ts';
import { tokenKey, useLink, type LinkUse } from './link.ts';
import { pageModel, type FormEcho } from './model.ts';
import { STYLESHEET, STYLESHEET_PATH } from './style.ts';
import { renderError, renderPage, renderRefused, type Frame } from './templates.ts';

export const PAGES_PREFIX = '/r';

export interface PagesOptions {
  ctx: HttpContext;
  authSecret: string;
  /** requests per link token in each window (default 120 a minute) */
  rateLimit?: { max: number; timeWindowMs: number };
}

const PageQuery = z.object({
  lang: z.enum(LANGUAGES).optional().catch(undefined),
  section: z.string().max(64).optional().catch(undefined),
  done: z.string().max(20).optional().catch(undefined),
  command: z.uuid().optional().catch(undefined),
}).catch({});

const DONE: readonly string[] = ['accepted', 'declined', 'comment', 'review', 'endorsed', 'withheld', 'new-link', 'unchanged'];

/** The link token and the form a path under /r/ names: /r/<token> or /r/<token>/<form>. */
function pathOf(request: FastifyRequest): { token: string; action: string | undefined; extra: boolean } {
  const rest = (request.params as { '*'?: string })['*'] ?? '';
  const [token = '', action, ...more] = rest.split('/');
  return { token, action, extra: more.length > 0 };
}

const queryOf = (request: FastifyRequest) => PageQuery.parse(request.query ?? {});

/** The page's language: ?lang= when given, else the stakeholder's (or the consultation's first), else English. */
function languageOf(request: FastifyRequest, use?: LinkUse): { language: Language; locale: string } {
  const asked = queryOf(request).lang;
  if (asked) return chooseLanguage(asked, []);
  if (use && 'state' in use) return chooseLanguage(use.stakeholder?.language ?? '', use.state.languages);
  return chooseLanguage('en', []);
}

function frameFor(t: PageCatalogue, title: string, base: string): Frame {
  return {
    lang: t.language, title, t, stylesheet: `${PAGES_PREFIX}${STYLESHEET_PATH}`,
    languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], href: `${base}?lang=${code}`, current: code === t.language })),
  };
}

/** What a refused command means to the stakeholder. */
const PROBLEMS: Partial<Record<DomainErrorCode, FormProblem>> = {
  COMMENT_DEADLINE_PASSED: 'comment-deadline',
  ENDORSEMENT_DEADLINE_PASSED: 'endorsement-deadline',
  CONSULTATION_CLOSED: 'closed',
  STAKEHOLDER_DECLINED: 'declined',
  STAKEHOLDER_REMOVED: 'removed',
  STAKEHOLDER_NOT_FOUND: 'removed',
  CONTACT_NOT_FOUND: 'removed',
  DRAFT_NOT_LATEST: 'newer-draft',
  DRAFT_NOT_FOUND: 'newer-draft',
  NO_DRAFT: 'newer-draft',
  NO_ENDORSEMENT_REQUEST: 'no-request',
  NOT_AN_ENDORSER: 'not-endorser',
  SECTION_NOT_FOUND: 'no-section',
  COMMAND_ID_REUSED: 'form-expired',
};

export async function pagesPlugin(pages: App, { ctx, authSecret, rateLimit: limit }: PagesOptions): Promise<void> {
  const secure = ctx.mail.publicUrl.startsWith('https:');
  await pages.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"],
        frameAncestors: ["'none'"], baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    strictTransportSecurity: secure,
  });
  await pages.register(cookie);
  await pages.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'reply-csrf',
    cookieOpts: { path: `${PAGES_PREFIX}/`, httpOnly: true, sameSite: 'strict', secure },
    // a form's token holds for the link it was rendered for only
    getUserInfo: (request) => tokenKey(pathOf(request).token),
    csrfOpts: { hmacKey: Buffer.from(deriveKey(authSecret, 'pageForms')) },
  });
  await pages.register(formbody, { bodyLimit: 128 * 1024 });
  await pages.register(rateLimit, {
    global: true,
    max: limit?.max ?? 120,
    timeWindow: limit?.timeWindowMs ?? 60_000,
    keyGenerator: (request) => tokenKey(pathOf(request).token),
    errorResponseBuilder: (_request, context) => Object.assign(new Error('too many requests for this link'), { statusCode: context.statusCode }),
  });

  // a personal page is never cached (it holds the organisation's comments and the link itself)
  pages.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== `${PAGES_PREFIX}${STYLESHEET_PATH}`) reply.header('cache-control', 'no-store');
    return payload;
  });

  const sendError = (request: FastifyRequest, reply: FastifyReply, status: number, message: (t: PageCatalogue) => string, back: boolean) => {
    const t = pageCatalogue(languageOf(request).language);
    const { token } = pathOf(request);
    const base = token ? `${PAGES_PREFIX}/${token}` : '';
    return reply.code(status).type('text/html; charset=utf-8')
      .send(renderError(frameFor(t, t.error.title, base), { heading: t.error.title, message: message(t), back: back && token ? base : null }));
  };

  pages.setErrorHandler((error: unknown, request, reply) => {
    const code = (error as { code?: unknown }).code;
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
      request.log.info({ code }, 'reply page form refused: CSRF');
      return sendError(request, reply, 403, (t) => t.error.formExpired, true);
    }
    if (statusCode === 429) return sendError(request, reply, 429, (t) => t.error.tooMany, false);
    if (error instanceof AppError && error.status >= 500) {
      if (error.code === 'EVENT_STORE_UNAVAILABLE') ctx.writes.failed(error);
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      request.log.warn({ code: error.code }, 'reply page unavailable');
      return sendError(request, reply, 503, (t) => t.error.unavailable, true);
    }
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return sendError(request, reply, statusCode, (t) => t.error.formExpired, true);
    }
    request.log.error({ err: error }, 'reply page failed');
    return sendError(request, reply, 500, (t) => t.error.unavailable, true);
  });
  pages.setNotFoundHandler((request, reply) => sendError(request, reply, 404, (t) => t.error.notFound, false));

  pages.get(STYLESHEET_PATH, { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET);
  });

  /** The page of a refused link: distinct for expired, revoked and tampered; a way to ask for a new link where the signature holds. */
  const sendRefused = (request: FastifyRequest, reply: FastifyReply, use: Extract<LinkUse, { ok: false }>, token: string, asked = false) => {
    const { language } = languageOf(request, use);
    const t = pageCatalogue(language);
    const base = `${PAGES_PREFIX}/${token}`;
    request.log.info({ reason: use.reason, detail: use.detail, tokenKey: tokenKey(token) }, 'personal link refused');
    const words = t.refused[use.reason];
    const mayAsk = use.reason !== 'tampered' && use.state.status === 'open' && use.stakeholder !== null;
    const status = use.reason === 'tampered' ? 404 : use.reason === 'expired' ? 410 : 403;
    return reply.code(status).type('text/html; charset=utf-8').send(renderRefused(frameFor(t, words.title, base), {
      heading: words.title, lead: words.lead, asked,
      ask: mayAsk ? { action: `${base}/new-link?lang=${language}`, csrf: reply.generateCsrf({ userInfo: tokenKey(token) }) } : null,
    }));
  };

  const sendPage = async (
    request: FastifyRequest, reply: FastifyReply, use: Extract<LinkUse, { ok: true }>, token: string,
    extra: { status?: number; notice?: string | null; problem?: string | null; echo?: FormEcho | null },
  ) => {
    const { language, locale } = languageOf(request, use);
    const t = pageCatalogue(language);
    const base = `${PAGES_PREFIX}/${token}`;
    const { title, model } = await pageModel({
      ctx, use, t, language, locale, base,
      csrf: reply.generateCsrf({ userInfo: tokenKey(token) }),
      notice: extra.notice ?? null, problem: extra.problem ?? null, section: queryOf(request).section ?? null, echo: extra.echo ?? null,
    });
    return reply.code(extra.status ?? 200).type('text/html; charset=utf-8').send(renderPage(frameFor(t, title, base), model));
  };

  /** One child logger per request that names its consultation (never the token). */
  const logFor = (request: FastifyRequest, reply: FastifyReply, use: LinkUse) => {
    if (!('subject' in use)) return;
    const log = request.log.child({ consultationId: use.subject.consultationId, stakeholderId: use.subject.stakeholderId });
    request.log = log;
    reply.log = log;
  };

  pages.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const { token, action } = pathOf(request);
    if (!token || action !== undefined) return sendError(request, reply, 404, (t) => t.error.notFound, false);
    const use = await useLink(ctx, token);
    logFor(request, reply, use);
    const query = queryOf(request);
    if (!use.ok) return sendRefused(request, reply, use, token, query.done === 'new-link');
    return sendPage(request, reply, use, token, { notice: noticeFor(pageCatalogue(languageOf(request, use).language), use, query) });
  });

  pages.post('/*', { schema: { hide: true }, preHandler: pages.csrfProtection }, async (request, reply) => {
    const { token, action, extra } = pathOf(request);
    if (!token || action === undefined || extra || (action !== 'new-link' && !isFormName(action))) {
      return sendError(request, reply, 404, (t) => t.error.notFound, false);
    }
    const use = await useLink(ctx, token);
    logFor(request, reply, use);
    const { language } = languageOf(request, use);
    const t = pageCatalogue(language);
    const page = (done: Done | 'unchanged', commandId?: string) =>
      reply.code(303).header('location', `${PAGES_PREFIX}/${token}?lang=${language}&done=${done}${commandId ? `&command=${commandId}` : ''}#notice`).send();

    if (action === 'new-link') {
      if (use.ok) return page('unchanged');
      if (use.reason === 'tampered' || use.state.status !== 'open' || use.stakeholder === null) return sendRefused(request, reply, use, token);
      const now = ctx.clock().toISOString();
      await runCommand(ctx, request, reply, {
        consultationId: use.subject.consultationId, command: commands.requestNewLink, expectedRevision: null,
        commandId: newLinkCommandId(use.subject.contactId, now),
        actor: { role: 'stakeholder', id: use.subject.stakeholderId },
        input: { stakeholderId: use.subject.stakeholderId, contactId: use.subject.contactId, reason: use.reason },
      });
      return page('new-link');
    }
    if (!use.ok) return sendRefused(request, reply, use, token);
    const form: FormName = action as FormName;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const commandIdGiven = z.uuid().safeParse(values['commandId']);
    const echo = (errors: Record<string, string>): FormEcho => ({ name: form, values, errors, commandId: commandIdGiven.success ? commandIdGiven.data : crypto.randomUUID() });
    if (use.access === 'read-only') return sendPage(request, reply, use, token, { status: 409, problem: t.problems['read-only'] });

    const parsed = FORMS[form].safeParse(body);
    if (!parsed.success) {
      const problems = fieldProblems(parsed.error, body);
      const errors = Object.fromEntries(Object.entries(problems).map(([field, kind]) => [field, t.fields[kind]]));
      return sendPage(request, reply, use, token, { status: 422, problem: t.problems.invalid, echo: echo(errors) });
    }
    const { stakeholderId, contactId } = use.subject;
    const commandId = parsed.data.commandId;
    const run = (command: Parameters<typeof runCommand>[3]['command'], input: unknown) => runCommand(ctx, request, reply, {
      consultationId: use.subject.consultationId, command, input, commandId, expectedRevision: null,
      actor: { role: 'stakeholder', id: stakeholderId },
    });
    try {
      let done: Done;
      let result;
      switch (form) {
        case 'respond': {
          const f = FORMS.respond.parse(body);
          result = await run(commands.respondToInvitation, { stakeholderId, response: f.response, ...(f.reason ? { reason: f.reason } : {}) });
          done = f.response === 'accept' ? 'accepted' : 'declined';
          break;
        }
        case 'comment': {
          const f = FORMS.comment.parse(body);
          result = await run(commands.submitComment, {
            stakeholderId, contactId, draftVersion: f.draftVersion, sectionKey: f.section === '' ? null : f.section, text: f.text,
            ...(f.proposedText ? { proposedText: f.proposedText } : {}), channel: 'link',
          });
          done = 'comment';
          break;
        }
        case 'endorse': {
          const f = FORMS.endorse.parse(body);
          result = await run(commands.endorseDraft, {
            stakeholderId, contactId, draftVersion: f.draftVersion, signatory: { name: f.signatoryName, title: f.signatoryTitle },
            ...(f.statement ? { statement: f.statement } : {}),
          });
          done = 'endorsed';
          break;
        }
        case 'withhold': {
          const f = FORMS.withhold.parse(body);
          result = await run(commands.withholdEndorsement, { stakeholderId, contactId, draftVersion: f.draftVersion, reason: f.reason });
          done = 'withheld';
          break;
        }
        case 'review': {
          const f = FORMS.review.parse(body);
          result = await run(commands.completeReview, { stakeholderId, draftVersion: f.draftVersion });
          done = 'review';
          break;
        }
      }
      return page(result.events.length === 0 && !result.replayed ? 'unchanged' : done, commandId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problem = PROBLEMS[error.code] ?? 'unavailable';
      request.log.info({ code: error.code }, 'reply page form refused');
      const fresh = await useLink(ctx, token); // the state the refusal was judged on, as the page shows it now
      if (!fresh.ok) return sendRefused(request, reply, fresh, token);
      const keep = problem === 'form-expired' ? { ...echo({}), commandId: crypto.randomUUID() } : echo({});
      return sendPage(request, reply, fresh, token, { status: error.status, problem: t.problems[problem], echo: keep });
    }
  });
}

/** The notice after a form's redirect (?done=), from what the state holds: a comment's reference is looked up, never taken from the URL. */
function noticeFor(t: PageCatalogue, use: Extract<LinkUse, { ok: true }>, query: z.infer<typeof PageQuery>): string | null {
  const done = query.done;
  if (done === undefined || !DONE.includes(done)) return null;
  if (done === 'unchanged') return t.done.unchanged;
  if (done === 'comment' && query.command) {
    const c = use.state.comments.get(idFor(query.command, 'comment'));
    if (c && c.stakeholderId === use.subject.stakeholderId) return t.done.commentAs(c.ref);
  }
  return t.done[done as Done];
}
