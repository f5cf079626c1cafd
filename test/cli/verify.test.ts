// `consult verify` as a real process over a real database file.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CommandHandler } from '../../src/commands/handler.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { consult } from '../helpers/consult.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';
import { tamperSqlite } from '../helpers/tamper.ts';

t.setTimeout(60_000);
const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));

t.test('verify reports every consultation, exits 1 naming the broken one after tampering', async (t) => {
  const dataDir = tempDir(t);
  const file = path.join(dataDir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  const handler = new CommandHandler({ store });
  const a = await openWithDraft(handler);
  const b = await openWithDraft(handler);
  await comment(handler, b, await invite(handler, b, 'Peace Institute'), 'A comment to alter');
  await store.close();

  const run = () => spawnSync(process.execPath, [bin, 'verify'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  const clean = run();
  t.equal(clean.status, 0, clean.stderr);
  t.match(clean.stdout, new RegExp(`ok +consultation-${a} \\(2 events\\)`));
  t.match(clean.stdout, /2 consultations, 6 events, 0 broken/);

  const db = new Database(file);
  db.prepare("UPDATE events SET data = replace(data, 'alter', 'altar') WHERE type = 'CommentSubmitted'").run();
  db.close();
  const broken = run();
  t.equal(broken.status, 1);
  t.match(broken.stdout, new RegExp(`BROKEN +consultation-${b} at revision 3`));
  t.match(broken.stdout, /1 broken/);
});

t.test('verify names every damaged stream with its revision and reason, an unreadable row included, checks all the others, and exits 1', async (t) => {
  const dataDir = tempDir(t);
  const file = path.join(dataDir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  const handler = new CommandHandler({ store });
  const [unreadable, healthy, deleted] = [await openWithDraft(handler), await openWithDraft(handler), await openWithDraft(handler)];
  for (const id of [unreadable, healthy, deleted]) await comment(handler, id, await invite(handler, id, 'Peace Institute'), 'A comment');
  await store.close();
  tamperSqlite(file, `consultation-${unreadable}`, 1, 'unparseable data');
  tamperSqlite(file, `consultation-${deleted}`, 2, 'a deleted event');

  const run = spawnSync(process.execPath, [bin, 'verify'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  t.equal(run.status, 1, run.stderr);
  t.match(run.stdout, new RegExp(`BROKEN +consultation-${unreadable} at revision 1: data is not valid JSON: `));
  t.match(run.stdout, new RegExp(`ok +consultation-${healthy} \\(4 events\\)`), 'the streams after a damaged one are checked');
  t.match(run.stdout, new RegExp(`BROKEN +consultation-${deleted} at revision 2: expected revision 2, found 3`));
  t.match(run.stdout, /3 consultations, 11 events, 2 broken/);
});

t.test('verify --consultation takes a consultation id: anything else is exit 2, an unknown one exit 1', async (t) => {
  const dataDir = tempDir(t);
  const store = new SqliteEventStore({ file: path.join(dataDir, 'events.sqlite') });
  const id = await openWithDraft(new CommandHandler({ store }));
  await store.close();
  const run = (...args: string[]) => consult(['verify', ...args], { env: { DATA_DIR: dataDir } });

  const notAnId = await run('--consultation', 'not-a-uuid');
  t.equal(notAnId.status, 2);
  t.match(notAnId.stderr, /not a consultation id/);
  t.notMatch(notAnId.stdout, /ok/, 'no "ok (0 events)"');
  const unknown = await run('--consultation', '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01');
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /no consultation 0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01 in /);
  const one = await run('--consultation', id);
  t.equal(one.status, 0, one.stderr);
  t.match(one.stdout, new RegExp(`ok +consultation-${id} \\(2 events\\)`));
  t.match(one.stdout, /1 consultations, 2 events, 0 broken/);
});
