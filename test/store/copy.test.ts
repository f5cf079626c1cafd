// Copying every consultation stream between stores: exact, in global order, resumable, idempotent.
import t from 'tap';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { CommandHandler } from '../../src/commands/handler.ts';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { copyConsultations, CopyConflictError } from '../../src/store/copy.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { seedConsultations } from '../helpers/consultation.ts';

t.setTimeout(60_000);

const strip = (e: { streamName: string; revision: number; id: string; type: string; data: unknown; metadata: unknown }) =>
  ({ streamName: e.streamName, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata });

function stores(t: { teardown(fn: () => unknown): void }) {
  const dir = tempDir(t);
  const source = new SqliteEventStore({ file: path.join(dir, 'source.sqlite') });
  const target = new SqliteEventStore({ file: path.join(dir, 'target.sqlite') });
  t.teardown(async () => { await source.close(); await target.close(); });
  return { dir, source, target };
}

t.test('copies every event exactly, in the same global order, and the hash chains still hold', async (t) => {
  const { source, target } = stores(t);
  const ids = await seedConsultations(source);
  const progress: number[] = [];
  const report = await copyConsultations(source, target, { pageSize: 7, progressEveryMs: 0, progress: (p) => progress.push(p.scanned) });
  t.match(report, { streams: 3, scanned: 24, copied: 24, skipped: 0, mismatches: [] });
  t.ok(progress.length > 1 && progress.at(-1) === 24, 'progress reported along the way and at the end');
  t.same((await target.readAll()).map(strip), (await source.readAll()).map(strip), 'same events, same order');
  for (const id of ids) t.equal((await verifyStream(target, `consultation-${id}`)).ok, true);
});

t.test('running it twice copies nothing twice', async (t) => {
  const { source, target } = stores(t);
  await seedConsultations(source);
  await copyConsultations(source, target);
  const again = await copyConsultations(source, target);
  t.match(again, { scanned: 24, copied: 0, skipped: 24, mismatches: [] });
  t.equal((await target.readAll()).length, 24);
});

t.test('an interrupted copy resumes where it stopped, and picks up what was written since', async (t) => {
  const { source, target } = stores(t);
  const ids = await seedConsultations(source);
  const partial = await copyConsultations(source, target, { maxEvents: 10, pageSize: 4 });
  t.equal(partial.copied, 10);
  t.equal((await target.readAll()).length, 10);
  const handler = new CommandHandler({ store: source });
  await handler.execute((await import('../../src/commands/index.ts')).commands.extendDeadline, {
    consultationId: ids[0]!, commandId: randomUUID(), actor: { role: 'coordinator', id: 'x' },
    input: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'more time' },
  });
  const rest = await copyConsultations(source, target, { pageSize: 4 });
  t.match(rest, { scanned: 25, copied: 15, skipped: 10, mismatches: [] });
  t.same((await target.readAll()).map(strip), (await source.readAll()).map(strip));
});

t.test('a target whose stream holds other events is refused, not merged', async (t) => {
  const { source, target } = stores(t);
  const [id] = await seedConsultations(source);
  await target.append(`consultation-${id}`, [{ id: randomUUID(), type: 'Foreign', data: {}, metadata: {} }], 'no_stream');
  await t.rejects(copyConsultations(source, target), CopyConflictError);
});

t.test('consult store copy: progress, a verified count, and an idempotent second run', async (t) => {
  const { dir, source } = stores(t);
  await seedConsultations(source);
  const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const from = path.join(dir, 'source.sqlite');
  const to = path.join(dir, 'copy.sqlite');
  const first = run('store', 'copy', '--from', from, '--to', to);
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /24 events read \(3 consultations\), 24 copied/);
  t.match(first.stdout, /3 consultations, 24 events: 24 copied, 0 already there; counts verified/);
  const second = run('store', 'copy', '--from', from, '--to', to);
  t.match(second.stdout, /0 copied, 24 already there; counts verified/);
  const missing = run('store', 'copy', '--from', path.join(dir, 'nope.sqlite'), '--to', to);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /no SQLite event store at .*nope\.sqlite/);
  t.equal(run('store', 'copy', '--from', from).status, 2, 'usage error without --to');
});
