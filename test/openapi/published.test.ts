// The published files are what the code generates: openapi.json (the document, committed so that
// a change to the API shows in its pull request) and examples/client/api.d.ts (the types
// openapi-typescript generates from it, which the example client is type-checked against). A change
// to the API that did not run `npm run openapi` fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { clientTypes, documentedInbound, openApiDocument, PUBLISHED } from '../../scripts/openapi.ts';
import { startApi } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(120_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const committed = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Where two texts first differ, as a line number and both lines (a whole 300 kB diff says less). */
function firstDifference(actual: string, expected: string): { line: number; committed: string | undefined; generated: string | undefined } | null {
  const a = actual.split('\n');
  const b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return { line: i + 1, committed: a[i], generated: b[i] };
  return null;
}

t.test('openapi.json is the document the code generates, and the one the app serves', async (t) => {
  const generated = await openApiDocument();
  t.equal(firstDifference(committed(PUBLISHED.document), generated), null, `${PUBLISHED.document} is up to date (npm run openapi)`);
  t.equal(await openApiDocument(), generated, 'generating it again gives the same bytes: no timestamps, a stable order');

  const api = await startApi(t, { inbound: (handler) => documentedInbound(handler, tempDir(t)) });
  const served = (await api.call({ url: '/docs/json', as: null })).json() as unknown;
  t.same(served, JSON.parse(generated), 'it is what /docs/json serves (without PUBLIC_URL)');
});

t.test('examples/client/api.d.ts is what openapi-typescript generates from openapi.json', async (t) => {
  const generated = await clientTypes(committed(PUBLISHED.document));
  t.equal(firstDifference(committed(PUBLISHED.clientTypes), generated), null, `${PUBLISHED.clientTypes} is up to date (npm run openapi)`);
  t.match(generated, /operations\["submitComment"\]/, 'its operations are named by operationId');
});
