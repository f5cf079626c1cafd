// What a request's log lines say about it: the method, the route (its pattern, or the path when no
// route matched) and the values of a fixed list of query parameters. Never the URL as sent: a query
// string may carry a token (`?access_token=…`), an e-mail address or anything else a client puts
// there. Headers are not logged (Authorization), nor bodies (e-mail addresses, comment text). The
// reply page's path carries a personal link's token (/r/<token>): its route pattern is logged
// (/r/*), and a path under /r/ that no route matched is logged with the token redacted.
import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are logged: filters and pages, never free text or credentials. */
export const LOGGED_QUERY_PARAMETERS: ReadonlySet<string> = new Set(['from', 'limit', 'version', 'section', 'stakeholder', 'status', 'awaiting']);

/** A logged path or value is cut to this many characters. */
const MAX_LOGGED_LENGTH = 200;

export interface RequestLogFields {
  method: string;
  /** the route's pattern (`/consultations/:id/comments`), or the path of an unmatched request */
  url: string;
  /** the allow-listed query parameters that the request carried */
  query?: Record<string, string | string[]>;
}

const cut = (text: string): string => (text.length > MAX_LOGGED_LENGTH ? `${text.slice(0, MAX_LOGGED_LENGTH)}…` : text);

/** What stands for a link token in a logged path. */
export const REDACTED_TOKEN = '<token>';

/** Anything shaped like a JWT (three base64url parts), wherever it stands in a path. */
const JWT_LIKE = /[A-Za-z0-9_-]{8,}(?:\.|%2e)[A-Za-z0-9_-]{8,}(?:\.|%2e)[A-Za-z0-9_-]{8,}/gi;

/** A path as it may be logged: under /r/ (the reply page) the token redacted, and anything shaped like a token elsewhere. */
export function loggablePath(path: string): string {
  const underPages = path.replace(/^(\/+r(?:\/|%2f))[^/]*/i, `$1${REDACTED_TOKEN}`);
  return underPages.replace(JWT_LIKE, REDACTED_TOKEN);
}

/** pino's `req` serializer for Fastify's request logs (the logger is handed a FastifyRequest). */
export function requestLogFields(request: FastifyRequest): RequestLogFields {
  const raw = request.raw?.url ?? request.url ?? '';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const route = request.is404 ? undefined : request.routeOptions?.url;
  const fields: RequestLogFields = { method: request.method, url: route ?? cut(loggablePath(path)) };
  if (queryAt !== -1) {
    const query: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of new URLSearchParams(raw.slice(queryAt + 1))) {
      if (!LOGGED_QUERY_PARAMETERS.has(name)) continue;
      const previous = query[name];
      query[name] = previous === undefined ? cut(value) : [...(Array.isArray(previous) ? previous : [previous]), cut(value)];
    }
    if (Object.keys(query).length > 0) fields.query = query;
  }
  return fields;
}
