// A full disk, for real: the SQLite event store on a small tmpfs (mounted here; root is needed,
// as on the developers' and CI machines). Writes that the disk refuses answer 503
// EVENT_STORE_UNAVAILABLE with Retry-After, never 500; /readyz says not ready (and /healthz shows
// store.writable false) while reads go on; once the disk has room again a probe write restores
// readiness, a refused command retried with its Idempotency-Key is applied once, and every
// acknowledged command is in the file, its hash chain intact, after the store is reopened.
// Determinism: SQLite may fit a smaller write into the WAL space a refused group left behind, so
// the API refuses every command while the store is marked not writable (not trying again), and the
// probe runs every second, well after the checks made while the disk is full.
// Where mount is not permitted the test is skipped; test/store/write-failure.test.ts covers the
// adapter's side (an injected SQLITE_FULL) on any machine.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'consult-full-disk-'));
const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', dir], { encoding: 'utf8' });
const mounted = mount.status === 0;
t.teardown(() => {
  if (mounted) spawnSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
});

const skip = mounted ? false : `a tmpfs cannot be mounted here (${(mount.stderr || mount.error?.message || 'mount failed').trim()}); see test/store/write-failure.test.ts`;

t.test('a full disk: 503 EVENT_STORE_UNAVAILABLE, not ready, nothing acknowledged lost; writable again once there is room', { skip }, async (t) => {
  const file = path.join(dir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  const api = await startApi(t, { store, storeProbeIntervalMs: 1000 });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana', email: 'ioana@wipn.example' }, language: 'en' });

  const text = 'A long comment on participation, written to fill the disk. '.repeat(30);
  const submit = (key: string) => api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, text, channel: 'api' }, headers: { 'idempotency-key': key } });

  // write, eight at a time (group commit), until the disk refuses
  const acknowledged: string[] = [];
  const refused: { key: string; status: number; body: string; retryAfter: unknown }[] = [];
  const statuses = new Set<number>();
  for (let round = 0; round < 400 && refused.length === 0; round++) {
    const keys = Array.from({ length: 8 }, (_, i) => `fill-${round}-${i}`);
    const results = await Promise.all(keys.map(async (key) => ({ key, res: await submit(key) })));
    for (const { key, res } of results) {
      statuses.add(res.statusCode);
      if (res.statusCode === 201) acknowledged.push((res.json() as { commentId: string }).commentId);
      else refused.push({ key, status: res.statusCode, body: res.body, retryAfter: res.headers['retry-after'] });
    }
  }
  t.ok(acknowledged.length > 0, `${acknowledged.length} comments were written before the disk filled`);
  if (!t.ok(refused.length > 0, 'the disk filled')) return;
  t.strictSame([...statuses].filter((s) => s !== 201 && s !== 503), [], 'every write answered 201 or 503, never 500');
  const first = refused[0]!;
  t.match(JSON.parse(first.body), { status: 503, code: 'EVENT_STORE_UNAVAILABLE' });
  t.equal(first.retryAfter, '5', 'with Retry-After');
  t.notMatch(first.body, /sqlite|SQLITE_|disk|\.ts/i, 'naming no internals');

  const ready = await api.call({ url: '/readyz', as: null });
  t.equal(ready.statusCode, 503, '/readyz: not ready');
  t.match(ready.json(), { ready: false, store: { reachable: true, writable: false } });
  const health = await api.call({ url: '/healthz', as: null });
  t.equal(health.statusCode, 200, '/healthz: alive (a restart frees no disk)');
  t.match(health.json(), { store: { reachable: true, writable: false } });
  const again = await submit('while-full');
  t.equal(again.statusCode, 503, 'writes keep answering 503');
  t.equal(again.json().code, 'EVENT_STORE_UNAVAILABLE');
  const matrix = await api.call({ url: `/consultations/${id}/comments` });
  t.equal(matrix.statusCode, 200, 'reads go on');
  t.strictSame(
    (matrix.json() as { comments: { commentId: string }[] }).comments.map((c) => c.commentId).sort(),
    [...acknowledged].sort(),
    'the views hold exactly the acknowledged comments',
  );

  // room again: a probe write restores readiness
  t.equal(spawnSync('mount', ['-o', 'remount,size=16m', dir]).status, 0, 'the tmpfs grows');
  let readyAgain = await api.call({ url: '/readyz', as: null });
  for (let i = 0; i < 300 && readyAgain.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    readyAgain = await api.call({ url: '/readyz', as: null });
  }
  t.equal(readyAgain.statusCode, 200, 'ready again once a probe write succeeds');
  t.match(readyAgain.json(), { ready: true, store: { writable: true } });

  const retried = await submit(first.key);
  t.equal(retried.statusCode, 201, 'a refused command retried with its Idempotency-Key is applied');
  const retriedAgain = await submit(first.key);
  t.strictSame(retriedAgain.json(), retried.json(), 'once');
  acknowledged.push((retried.json() as { commentId: string }).commentId);

  // nothing acknowledged was lost: every acknowledged comment is in the file, the chain intact
  await api.app.close();
  await api.runner.stop();
  await store.close();
  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  const stream = await reopened.readStream(streamNameFor(id));
  const stored = stream.filter((e) => e.type === 'CommentSubmitted').map((e) => String(e.data['commentId']));
  t.strictSame([...stored].sort(), [...acknowledged].sort(), 'the stored comments are exactly the acknowledged ones');
  t.match(await verifyStream(reopened, streamNameFor(id)), { ok: true }, 'the hash chain holds');
});
