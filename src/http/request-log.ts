// What a request's log lines say about it: the method, the route (its pattern, or the path when no
// route matched) and the values of a fixed list of query parameters. Never the URL as sent: a query
// string may carry a token (`?access_token=…`), an e-mail address or anything else a client puts
// there. Headers are not logged (Authorization), nor bodies (e-mail addresses, comment text).
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

/** pino's `req` serializer for Fastify's request logs (the logger is handed a FastifyRequest). */
export function requestLogFields(request: FastifyRequest): RequestLogFields {
  const raw = request.raw?.url ?? request.url ?? '';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const route = request.is404 ? undefined : request.routeOptions?.url;
  const fields: RequestLogFields = { method: request.method, url: route ?? cut(path) };
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
