// Each view's zod schema is its single definition, and the routes serve the view with it. Fastify
// serialises a response through its schema, which drops a field the schema lacks without a word;
// so: at every step of the realistic history, every view parses with its schema to exactly itself
// (nothing stripped, nothing rewritten), and over the history every field the schema names holds
// a value at least once (so the check above saw it).
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { z } from 'zod';
import {
  CommentMatrixView, ConsultationListEntry, DraftsEntry, SignOffView, StakeholdersView,
  commentMatrix, consultationsList, drafts, signOff, stakeholders, type PerConsultationView, type Projection,
} from '../../src/projections/index.ts';
import { globalHistory } from './fixtures/history.ts';

const VIEWS: Array<[Projection<PerConsultationView<unknown>>, z.ZodType]> = [
  [consultationsList as Projection<PerConsultationView<unknown>>, ConsultationListEntry],
  [stakeholders as Projection<PerConsultationView<unknown>>, StakeholdersView],
  [signOff as Projection<PerConsultationView<unknown>>, SignOffView],
  [commentMatrix as Projection<PerConsultationView<unknown>>, CommentMatrixView],
  [drafts as Projection<PerConsultationView<unknown>>, DraftsEntry],
];

/** `.a.b[].c`: `[]` for any array item, `{}` for any entry of a record keyed by version numbers. */
function valuePaths(value: unknown, path: string, out: Set<string>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) valuePaths(item, `${path}[]`, out);
  } else if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) valuePaths(child, /^\d+$/.test(key) ? `${path}{}` : `${path}.${key}`, out);
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
    let view = projection.initial();
    const differing: string[] = [];
    const seen = new Set<string>();
    for (const e of globalHistory()) {
      view = projection.apply(view, e);
      for (const slot of view.consultations) {
        const parsed = schema.safeParse(slot.view);
        if (!parsed.success) differing.push(`${slot.consultationId}@${slot.lastRevision}: ${parsed.error.message}`);
        else if (!isDeepStrictEqual(parsed.data, slot.view)) differing.push(`${slot.consultationId}@${slot.lastRevision}`);
        valuePaths(slot.view, '', seen);
      }
    }
    t.strictSame(differing, [], 'no view loses or changes anything in its schema');
    const named = new Set<string>();
    schemaPaths(z.toJSONSchema(schema, { io: 'output' }) as JsonSchema, '', named);
    t.strictSame([...named].filter((p) => !seen.has(p)), [], 'every field the schema names held a value in the history');
    t.strictSame([...seen].filter((p) => !named.has(p)), [], 'every field the view holds is named by its schema');
  });
}
