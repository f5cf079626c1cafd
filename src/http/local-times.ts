// Every time a view shows, also in the consultation's own time zone: beside each instant `x` (ISO-8601
// with an offset or Z, as stored) a field `xLocal` with the same time as the consultation's people
// read it, ISO-8601 local time with that zone's offset (`2027-03-06T17:00:00+01:00`), and the view
// naming the zone once (`timeZone`). Done here, once, as the views are served, for every GET route of
// a consultation (and each entry of the consultations list), so a view or a field added later gets it
// without a line of its own; the stored documents hold instants only.
//
// Which fields are times: by name, one convention for every view: `at`, `…At`, `deadline`,
// `…Deadline`, and the fields of an object named `…Deadlines` (`ownDeadlines.comments`). The same
// rule declares the twins in the routes' response schemas (so the OpenAPI document and the
// serializer know them) and adds them to the values (test/http/local-times.test.ts walks every
// view route's JSON and fails on an instant without its twin).
//
// Not localised: the raw history (`/events`: the record as stored), a message's preview (a message
// for one person, its times written in that person's language inside its texts) and the health routes.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { localTime } from '../domain/local-time.ts';
import { AppError } from '../errors/catalogue.ts';
import { consultationSettings, readSettings } from '../projections/consultation-settings.ts';
import type { App, HttpContext } from './context.ts';

/** True for a field that holds an instant (see the convention above). */
export function isTimeField(key: string, parentKey: string | null): boolean {
  return /^(at|deadline)$|(At|Deadline)$/.test(key) || (parentKey !== null && /^deadlines$|Deadlines$/.test(parentKey));
}

export const LOCAL_SUFFIX = 'Local';

const TimeZoneField = z.string().describe('the consultation\'s time zone (IANA), in which each `…Local` time is given');

// ---- schemas ----

type Any = z.ZodType;

function defOf(schema: Any): { type: string } & Record<string, unknown> {
  return schema._zod.def as unknown as { type: string } & Record<string, unknown>;
}

/** The schema's description and other metadata, carried over to the schema built from it. */
function withMetaOf<T extends Any>(from: Any, to: T): T {
  const meta = z.globalRegistry.get(from);
  return meta ? to.meta(meta) : to;
}

/** A string, possibly optional, nullable or with a default. */
function isString(schema: Any): boolean {
  const def = defOf(schema);
  if (def.type === 'string') return true;
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return isString(def['innerType'] as Any);
  return false;
}

/** The twin of an instant field: a string, optional and nullable as the instant is. */
function twinOf(schema: Any): Any {
  const def = defOf(schema);
  if (def.type === 'optional') return twinOf(def['innerType'] as Any).optional();
  if (def.type === 'nullable') return twinOf(def['innerType'] as Any).nullable();
  if (def.type === 'default') return twinOf(def['innerType'] as Any);
  return z.string().describe('the same time in the consultation\'s time zone (`timeZone`): ISO-8601 local time with its offset, e.g. 2027-03-06T17:00:00+01:00');
}

/**
 * The schema with a `…Local` twin declared after every instant field, at any depth, and (with
 * `timeZone`) the top-level object(s) naming the zone.
 */
export function localTimesSchema(schema: Any, options: { timeZone: boolean }, parentKey: string | null = null): Any {
  const def = defOf(schema);
  const inner = (s: Any, key: string | null = parentKey) => localTimesSchema(s, { timeZone: false }, key);
  switch (def.type) {
    case 'object': {
      const shape: Record<string, Any> = {};
      for (const [key, field] of Object.entries((schema as z.ZodObject).shape as Record<string, Any>)) {
        shape[key] = inner(field, key);
        if (isTimeField(key, parentKey) && isString(field)) shape[`${key}${LOCAL_SUFFIX}`] = twinOf(field);
      }
      if (options.timeZone) shape['timeZone'] = TimeZoneField;
      const catchall = def['catchall'] as Any | undefined;
      return withMetaOf(schema, catchall ? z.object(shape).catchall(catchall) : z.object(shape));
    }
    case 'array':
      return withMetaOf(schema, z.array(inner(def['element'] as Any)));
    case 'optional':
      return withMetaOf(schema, localTimesSchema(def['innerType'] as Any, options, parentKey).optional());
    case 'nullable':
      return withMetaOf(schema, localTimesSchema(def['innerType'] as Any, options, parentKey).nullable());
    case 'union': {
      const options_ = (def['options'] as Any[]).map((o) => localTimesSchema(o, options, parentKey));
      const discriminator = def['discriminator'] as string | undefined;
      return withMetaOf(schema, discriminator
        ? z.discriminatedUnion(discriminator, options_ as [z.ZodObject, ...z.ZodObject[]])
        : z.union(options_ as [Any, ...Any[]]));
    }
    case 'record':
      return withMetaOf(schema, z.record(def['keyType'] as z.ZodString, inner(def['valueType'] as Any)));
    case 'intersection':
      return withMetaOf(schema, z.intersection(localTimesSchema(def['left'] as Any, options, parentKey), localTimesSchema(def['right'] as Any, options, parentKey)));
    default:
      return schema;
  }
}

// ---- values ----

/** The value with a `…Local` twin after every instant field, at any depth (null for a null instant). */
export function withLocalTimes(value: unknown, timeZone: string, parentKey: string | null = null): unknown {
  if (Array.isArray(value)) return value.map((item) => withLocalTimes(item, timeZone, parentKey));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = withLocalTimes(field, timeZone, key);
    if (isTimeField(key, parentKey) && (typeof field === 'string' || field === null)) {
      out[`${key}${LOCAL_SUFFIX}`] = field === null ? null : localTime(field, timeZone);
    }
  }
  return out;
}

// ---- the consultation's zone ----

/** Time zones never change once a consultation is open, so a process keeps those it has read. */
const MAX_CACHED = 10_000;

export class TimeZones {
  private readonly known = new Map<string, string>();
  constructor(private readonly runner: HttpContext['runner']) {}

  /** The consultation's time zone; 503 VIEWS_REBUILDING while the settings view has not caught up to it. */
  async of(consultationId: string): Promise<string> {
    const cached = this.known.get(consultationId);
    if (cached !== undefined) return cached;
    const settings = await readSettings(this.runner.reader(consultationSettings), consultationId);
    if (!settings) throw new AppError('VIEWS_REBUILDING', 'the consultation-settings view has not reached this consultation yet; retry shortly');
    if (this.known.size >= MAX_CACHED) this.known.clear();
    this.known.set(consultationId, settings.timeZone);
    return settings.timeZone;
  }
}

// ---- the routes ----

type Localised = 'consultation' | 'list' | null;

/** How a route's answer is localised: a consultation's view (by its `:id`), the list (each entry by its own), or not at all. */
export function localisationOf(method: string | readonly string[], url: string): Localised {
  const methods = [method].flat();
  if (!methods.includes('GET') && !methods.includes('HEAD')) return null;
  if (url === '/consultations') return 'list';
  if (url === '/consultations/:id/events') return null; // the raw history: the record as stored
  if (url === '/consultations/:id/stakeholders/:sid/messages/preview') return null; // a message, not a view
  if (url === '/consultations/:id' || url.startsWith('/consultations/:id/')) return 'consultation';
  return null;
}

/** The 200 answer's JSON schema, wherever the route declares it. */
function mapJson200(response: Record<string, unknown>, f: (s: Any) => Any): Record<string, unknown> {
  const ok = response['200'];
  if (ok instanceof z.ZodType) return { ...response, 200: f(ok) };
  const content = (ok as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
  const json = content?.['application/json']?.schema;
  if (!content || !(json instanceof z.ZodType)) return response;
  return { ...response, 200: { ...(ok as object), content: { ...content, 'application/json': { ...content['application/json'], schema: f(json) } } } };
}

function listSchema(schema: Any): Any {
  const shape = (schema as z.ZodObject).shape as Record<string, Any>;
  const entries = shape['consultations'];
  if (!entries) return schema;
  const entry = defOf(entries)['element'] as Any;
  return withMetaOf(schema, (schema as z.ZodObject).extend({ consultations: withMetaOf(entries, z.array(localTimesSchema(entry, { timeZone: true }))) }));
}

/**
 * Declares the twins and `timeZone` in every localised route's 200 schema as it is registered,
 * and adds them to its answer before it is serialised.
 */
export function registerLocalTimes(api: App, zones: TimeZones): void {
  api.addHook('onRoute', (route) => {
    const how = localisationOf(route.method, route.url);
    if (how === null || route.schema?.response === undefined) return;
    const transform = how === 'list' ? listSchema : (s: Any) => localTimesSchema(s, { timeZone: true });
    route.schema = { ...route.schema, response: mapJson200(route.schema.response as Record<string, unknown>, transform) };
  });

  api.addHook('preSerialization', async (request: FastifyRequest, reply, payload) => {
    if (reply.statusCode !== 200 || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    const how = localisationOf(request.method, request.routeOptions.url ?? '');
    if (how === 'consultation') {
      const id = (request.params as { id?: unknown }).id;
      if (typeof id !== 'string') return payload;
      const timeZone = await zones.of(id);
      return { ...(withLocalTimes(payload, timeZone) as object), timeZone };
    }
    if (how === 'list') {
      const list = (payload as { consultations?: unknown }).consultations;
      if (!Array.isArray(list)) return payload;
      const consultations = await Promise.all(list.map(async (entry: { id: string }) => {
        const timeZone = await zones.of(entry.id);
        return { ...(withLocalTimes(entry, timeZone) as object), timeZone };
      }));
      return { ...payload, consultations };
    }
    return payload;
  });
}
