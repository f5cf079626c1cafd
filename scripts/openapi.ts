// `npm run openapi`: writes the API's OpenAPI document to openapi.json at the repository's root,
// and the TypeScript types that openapi-typescript generates from it to examples/client/api.d.ts
// (what the example client is typed with). Both are committed, so a change to the API shows in a
// pull request; test/openapi/published.test.ts fails while either is out of date.
//
//   npm run openapi            # write both
//   npm run openapi -- --check # exit 1, naming the stale file, if either differs from what the code gives
//
// The document comes from the app itself (buildApp on an empty SQLite store in a temporary
// directory, then app.swagger()): the same one /docs/json serves, with the server `/` (PUBLIC_URL
// is a deployment's, not the file's). The output is deterministic: the generator's own key order
// (route registration order), the top-level keys in a fixed order, no timestamps.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { pino } from 'pino';
import { DamageRegistry } from '../src/audit/damage.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { stakeholderTokenKeys } from '../src/auth/stakeholder-tokens.ts';
import { buildApp } from '../src/http/app.ts';
import { InboundMailbox } from '../src/inbound/mailbox.ts';
import { projections } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where the published files live, relative to the repository's root. */
export const PUBLISHED = {
  document: 'openapi.json',
  clientTypes: 'examples/client/api.d.ts',
} as const;

/** The order of the document's top-level keys in the file: what it is first, then the operations. */
const TOP_LEVEL = ['openapi', 'info', 'servers', 'tags', 'security', 'paths', 'components'];

/** The OpenAPI document as the file holds it (JSON, two-space indent, a final newline). */
export async function openApiDocument(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wps-openapi-'));
  const store = new SqliteEventStore({ file: path.join(dir, 'events.sqlite') });
  try {
    const damage = new DamageRegistry();
    const handler = new CommandHandler({ store, damage });
    const app = await buildApp({
      store,
      runner: new ProjectionRunner({ store, projections, damage }),
      handler,
      damage,
      logger: pino({ level: 'silent' }),
      storeKind: 'sqlite',
      // never used: no request is made; the document does not depend on it
      authSecret: 'openapi-document-generation-only-000000',
      // the webhook is documented as a deployment with INBOUND_WEBHOOK_SECRET serves it
      inbound: documentedInbound(handler, dir),
    });
    try {
      await app.ready();
      const document = app.swagger() as Record<string, unknown>;
      const keys = [...TOP_LEVEL.filter((k) => k in document), ...Object.keys(document).filter((k) => !TOP_LEVEL.includes(k))];
      return `${JSON.stringify(Object.fromEntries(keys.map((k) => [k, document[k]])), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** POST /inbound/mime as the document shows it (the route exists only with INBOUND_WEBHOOK_SECRET). */
export function documentedInbound(handler: CommandHandler, dataDir: string) {
  const settings = { domain: 'in.consult.example', keys: stakeholderTokenKeys('openapi-document-generation-only-000000'), dataDir, maxBytes: 25 * 1024 * 1024, maxAttachmentBytes: 10 * 1024 * 1024 };
  return { mailbox: new InboundMailbox({ handler, settings }), secret: 'openapi-document-generation-only-000000' };
}

/** The TypeScript types openapi-typescript generates from the document (its defaults, as its CLI gives). */
export async function clientTypes(document: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(document) as Parameters<typeof openapiTS>[0], { silent: true });
  return COMMENT_HEADER + astToString(ast);
}

async function main(check: boolean): Promise<void> {
  const document = await openApiDocument();
  const files: [string, string][] = [[PUBLISHED.document, document], [PUBLISHED.clientTypes, await clientTypes(document)]];
  let stale = 0;
  for (const [file, text] of files) {
    const at = path.join(root, file);
    if (!check) {
      writeFileSync(at, text);
      process.stdout.write(`wrote ${file}\n`);
      continue;
    }
    let current: string | undefined;
    try {
      current = readFileSync(at, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) {
      stale++;
      process.stderr.write(`${file} is out of date: run npm run openapi and commit it\n`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.includes('--check'));
}
