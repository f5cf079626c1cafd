// A store written by main before the hardening wave (test/fixtures/legacy/make-store.mjs, commit
// 2725e77): titles, names and reasons with CR/LF, NUL and U+202E, a comment sent with `section`,
// and what the attacker got stored (StakeholderRemoved {stakeholderId: "__proto__"}, a retraction
// of comment "__proto__"). Under today's rules it verifies, folds, builds every view, serves, and
// takes new commands; nothing of it is marked damaged.
import t from 'tap';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { commentMatrix, projections, stakeholders } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { consultationStreams } from '../../src/audit/verify-all.ts';
import { startApi } from '../helpers/http.ts';
import { COORDINATOR } from '../helpers/consultation.ts';
import { tempDir } from '../helpers/temp-store.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/legacy/main-2725e77.sqlite', import.meta.url));
const A = '18bcaecf-0c8c-5369-b484-ba68a0b63e1d';
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();

function openCopy(t: { teardown(fn: () => unknown): void }): SqliteEventStore {
  const file = path.join(tempDir(t), 'events.sqlite');
  copyFileSync(FIXTURE, file);
  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  return store;
}

t.test('every stream of the legacy store verifies', async (t) => {
  const store = openCopy(t);
  const streams = await consultationStreams(store);
  t.equal(streams.length, 2);
  for (const s of streams) t.match(await verifyStream(store, s), { ok: true }, s);
});

t.test('the legacy store folds under today\'s decode path and takes new commands on top', async (t) => {
  const clean = prototypeNames();
  const store = openCopy(t);
  const handler = new CommandHandler({ store });
  const state = await handler.load(A);
  t.equal(state.revision, 17);
  t.equal(state.stakeholders.size, 3);
  t.notOk(state.stakeholders.has('__proto__'), 'a removal naming "__proto__" names nobody');
  t.equal(state.comments.size, 3);
  t.same(state.drafts.get(1)?.sectionKeys, ['constructor', 'hasOwnProperty']);
  t.strictSame(prototypeNames(), clean, 'nothing reached Object.prototype');

  const wholeDraft = [...state.comments.values()].find((c) => c.answer === null && c.stakeholderId === [...state.stakeholders.keys()][0]);
  const answered = await handler.execute(commands.answerComment, {
    consultationId: A, commandId: randomUUID(), actor: COORDINATOR, input: { commentId: wholeDraft!.id, disposition: 'noted', response: 'Thank you.\r\nNoted.' },
  });
  t.equal(answered.revision, 18);
  t.equal(answered.events[0]?.data['response'], 'Thank you.\nNoted.');
  t.match(await verifyStream(store, streamNameFor(A)), { ok: true, events: 19 }, 'the chain goes on from the legacy head');
});

t.test('every view builds from the legacy store; none fails', async (t) => {
  const store = openCopy(t);
  const runner = new ProjectionRunner({ store, projections });
  t.teardown(() => runner.stop());
  await runner.start();
  await runner.caughtUp(30_000);
  t.strictSame(runner.status().map((s) => s.failure), projections.map(() => null));
  const rows = (await stakeholders.read(runner.reader(stakeholders), A))!.view.stakeholders;
  t.same(rows.map((r) => r.organisation), ['Women Peacemakers\uFFFD Network', 'Ministry of Foreign Affairs', 'Ministry of Defence'], 'stored names are served as stored, but for a U+0000 no view store can hold (U+FFFD; the event keeps it)');
  t.equal((await commentMatrix.read(runner.reader(commentMatrix), A))!.view.comments.length, 3);
});

t.test('the API serves the legacy consultations', async (t) => {
  const store = openCopy(t);
  const api = await startApi(t, { store });
  const summary = await api.call({ url: `/consultations/${A}` });
  t.equal(summary.statusCode, 200);
  t.equal(summary.json().title, 'Third NAP\r\nBcc: someone@example.org');
  t.equal((await api.call({ url: '/consultations' })).json().consultations.length, 2);
  t.equal((await api.call({ url: `/consultations/${A}/events` })).statusCode, 200);
});
