// Each view's zod schema is its single definition, and the routes serve the view with it. Fastify
// serialises a response through its schema, which drops a field the schema lacks without a word;
// so: at every step of the realistic history, every view as read parses with its schema to exactly
// itself (nothing stripped, nothing rewritten), and over the history every field the schema names
// holds a value at least once (so the check above saw it). The stored documents parse with their
// collections' schemas likewise.
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { z } from 'zod';
import {
  CommentMatrixView, ConsultationListEntry, DraftsEntry, SignOffView, StakeholdersView,
  commentMatrix, consultationsList, drafts, signOff, stakeholders, type ConsultationView, type Projection,
} from '../../src/projections/index.ts';
import { projectionBase, storedCollection } from '../../src/projections/doc-batch.ts';
import { CONSULTATION_ID } from '../helpers/domain-spec.ts';
import { OTHER_ID, globalHistory } from './fixtures/history.ts';
import { Replayed } from './fixtures/recorded.ts';

const VIEWS: Array<[Projection & ConsultationView<unknown>, z.ZodType]> = [
  [consultationsList, ConsultationListEntry],
  [stakeholders, StakeholdersView],
  [signOff, SignOffView],
  [commentMatrix, CommentMatrixView],
  [drafts, DraftsEntry],
];

/** `.a.b[].c`: `[]` for any array item, `{}` for any entry of a record keyed by version numbers or (`translations`) by language. */
function valuePaths(value: unknown, path: string, out: Set<string>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) valuePaths(item, `${path}[]`, out);
  } else if (typeof value === 'object') {
    const byLanguage = path.endsWith('.translations');
    for (const [key, child] of Object.entries(value)) valuePaths(child, byLanguage || /^\d+$/.test(key) ? `${path}{}` : `${path}.${key}`, out);
  } else {
    out.add(path);
  }
}

type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[];
};

/** The paths of every field the schema names, in valuePaths' notation. */
function schemaPaths(schema: JsonSchema, path: string, out: Set<string>): void {
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) schemaPaths(branch, path, out);
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.includes('object')) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) schemaPaths(child, `${path}.${key}`, out);
    if (typeof schema.additionalProperties === 'object') schemaPaths(schema.additionalProperties, `${path}{}`, out);
  } else if (types.includes('array') && schema.items) {
    schemaPaths(schema.items, `${path}[]`, out);
  } else if (types.some((type) => type !== 'null')) {
    out.add(path);
  }
}

for (const [projection, schema] of VIEWS) {
  t.test(`${projection.name}: at every step of the history, the view parses with its schema to exactly itself`, async (t) => {
    const replayed = new Replayed(projection);
    const differing: string[] = [];
    const seen = new Set<string>();
    const base = projectionBase(projection);
    for (const e of globalHistory()) {
      await replayed.apply([e]);
      for (const id of [CONSULTATION_ID, OTHER_ID]) {
        const slot = await projection.read(replayed.reader, id);
        if (!slot) continue;
        const parsed = schema.safeParse(slot.view);
        if (!parsed.success) differing.push(`${id}@${slot.lastRevision}: ${parsed.error.message}`);
        else if (!isDeepStrictEqual(parsed.data, slot.view)) differing.push(`${id}@${slot.lastRevision}`);
        valuePaths(slot.view, '', seen);
      }
    }
    for (const c of projection.collections) {
      for (const d of await replayed.store.list(storedCollection(base, c))) {
        const parsed = c.schema.safeParse(d.doc);
        if (!parsed.success) differing.push(`document ${storedCollection(base, c)} ${d.key}: ${parsed.error.message}`);
        else if (!isDeepStrictEqual(parsed.data, d.doc)) differing.push(`document ${storedCollection(base, c)} ${d.key} changes when parsed`);
      }
    }
    t.strictSame(differing, [], 'no view loses or changes anything in its schema');
    const named = new Set<string>();
    schemaPaths(z.toJSONSchema(schema, { io: 'output' }) as JsonSchema, '', named);
    t.strictSame([...named].filter((p) => !seen.has(p)), [], 'every field the schema names held a value in the history');
    t.strictSame([...seen].filter((p) => !named.has(p)), [], 'every field the view holds is named by its schema');
  });
}
