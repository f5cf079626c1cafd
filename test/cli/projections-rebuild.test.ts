// `consult projections rebuild` as a real process over a real database file.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { SqliteViewStore } from '../../src/views/sqlite-view-store.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { seedConsultations } from '../helpers/consultation.ts';
import { tamperSqlite } from '../helpers/tamper.ts';
import { drafts, projections, signOff } from '../../src/projections/index.ts';

t.setTimeout(60_000);
const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));

t.test('rebuild builds every view anew beside the live one, reports what it applied, switches, and drops the old generation', async (t) => {
  const dataDir = tempDir(t);
  const store = new SqliteEventStore({ file: path.join(dataDir, 'events.sqlite') });
  await seedConsultations(store);
  await store.close();
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'projections', 'rebuild', ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });

  const all = run();
  t.equal(all.status, 0, all.stderr);
  const versions = projections.map((p) => `${p.name} v${p.version}`).join(', ');
  t.match(all.stdout, new RegExp(`^building generation 1 of ${versions} beside the live one$`, 'm'));
  for (const name of ['consultations-list', 'stakeholders', 'sign-off', 'comment-matrix', 'drafts', 'consultation-settings', 'held-replies']) {
    t.match(all.stdout, new RegExp(`^${name} v\\d+: 24 events in [\\d.]+ s \\(\\d+ events/s\\), at position 24$`, 'm'));
  }
  t.match(all.stdout, /^switched to generation 1; a running server picks it up within a second$/m);
  const one = run('--name', 'sign-off');
  t.equal(one.status, 0, one.stderr);
  t.match(one.stdout, new RegExp(`^building generation 2 of sign-off v${signOff.version} beside the live one$`, 'm'));
  t.equal(one.stdout.split('\n').filter((l) => / events in /.test(l)).length, 1, 'only the named projection');
  const views = new SqliteViewStore({ file: path.join(dataDir, 'views.sqlite') });
  t.teardown(() => views.close());
  const signOffAt = `sign-off@${signOff.version}`;
  t.equal(await views.getMeta(`generation:${signOffAt}`), '2');
  t.equal(await views.getMeta(`generation:drafts@${drafts.version}`), '1', 'the others stay on their generation');
  t.ok(await views.count(`${signOffAt}.2`) > 0, 'the new generation holds the documents');
  t.equal(await views.count(`${signOffAt}.1`), 0, 'the old one was dropped (no server held it)');
  t.equal(await views.checkpoint(`${signOffAt}.1`), null);
  const unknown = run('--name', 'nope');
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /no projection named "nope"; known: consultations-list, stakeholders, sign-off, comment-matrix, drafts/);
});

t.test('rebuild names a consultation whose history is damaged, applies the others in full, and exits 1', async (t) => {
  const dataDir = tempDir(t);
  const file = path.join(dataDir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  const [damaged] = await seedConsultations(store);
  await store.close();
  tamperSqlite(file, `consultation-${damaged}`, 5, 'unparseable data');
  const run = spawnSync(process.execPath, [bin, 'projections', 'rebuild', '--name', 'consultations-list'], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });
  t.equal(run.status, 1, run.stderr);
  t.match(run.stdout, /^consultations-list v\d+: 21 events in /m, 'the damaged consultation\'s events from revision 5 are not applied');
  t.match(run.stdout, new RegExp(`^DAMAGED consultation-${damaged} at revision 5: data is not valid JSON: `, 'm'));
});
