// Ids named after Object.prototype members are ordinary keys. A store written before ids were
// checked holds events naming "__proto__", "constructor" and "hasOwnProperty" as stakeholder,
// comment and command ids and section keys (and an InvitationAccepted {} with no stakeholder):
// it replays through the handler and the views without touching Object.prototype, and another
// consultation in the same process, before and after a restart, is unaffected.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { eventHash, verifyStream } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import type { CommandDefinition } from '../../src/commands/command.ts';
import { ZERO_HASH } from '../../src/domain/consultation.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { commentMatrix, projections, stakeholders } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import type { EventData, EventStore, JsonObject } from '../../src/store/port.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { COORDINATOR, invite, openWithDraft } from '../helpers/consultation.ts';
import { tempDir } from '../helpers/temp-store.ts';
import path from 'node:path';

const HOSTILE = ['__proto__', 'constructor', 'hasOwnProperty'] as const;
const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
const CLEAN_PROTOTYPE = prototypeNames();

/** Appends events as the code before this wave stored them: its metadata, its hash chain. */
async function appendLegacy(store: EventStore, consultationId: string, events: [commandId: string, type: string, data: JsonObject][]): Promise<void> {
  const streamName = streamNameFor(consultationId);
  let prevHash = ZERO_HASH;
  const out: EventData[] = events.map(([commandId, type, data], revision) => {
    const metadata = { commandId, commandHash: `legacy-${commandId}`, actor: { role: 'coordinator', id: 'old\r\nsubject' }, recordedAt: '2026-11-01T09:00:00.000Z', prevHash };
    const hash = eventHash({ streamName, revision, type, data, metadata });
    prevHash = hash;
    return { id: randomUUID(), type, data, metadata: { ...metadata, hash } };
  });
  await store.append(streamName, out, 'no_stream');
}

const legacyHistory = (consultationId: string): [string, string, JsonObject][] => [
  ['constructor', 'ConsultationOpened', { consultationId, title: 'Old title\r\nwith a line break', summary: '', leadOrganisation: 'Office\u202E', languages: ['en'], timeZone: 'UTC' }],
  ['toString', 'DraftPublished', {
    version: 1, commentDeadline: '2099-01-01T00:00:00Z',
    sections: [...HOSTILE, 'valueOf'].map((key) => ({ key, heading: `Section ${key}`, text: '' })),
  }],
  ...HOSTILE.map((id, i): [string, string, JsonObject] => ['hasOwnProperty-' + i, 'StakeholderInvited', {
    stakeholderId: id, organisation: `Org ${id}`, kind: 'civil-society', contacts: [{ name: 'X', email: `${i}@x.example` }], language: 'en', endorser: false,
  }]),
  ['__proto__', 'StakeholderRemoved', { stakeholderId: '__proto__', reason: 'left' }],
  ['valueOf', 'InvitationAccepted', {}],
  ['c-1', 'CommentSubmitted', { commentId: '__proto__', stakeholderId: 'constructor', draftVersion: 1, sectionKey: 'constructor', text: 'On the constructor section', channel: 'api', madeAt: '2026-11-01T09:00:00.000Z' }],
  ['c-2', 'CommentSubmitted', { commentId: 'hasOwnProperty', stakeholderId: 'hasOwnProperty', draftVersion: 1, sectionKey: '__proto__', text: 'On the __proto__ section', channel: 'api', madeAt: '2026-11-01T09:00:00.000Z' }],
  ['c-3', 'CommentAnswered', { commentId: '__proto__', disposition: 'noted', response: 'Noted.' }],
  ['c-4', 'CommentRetracted', { commentId: 'hasOwnProperty', reason: 'duplicate' }],
];

t.test('a legacy store with hostile ids replays in the handler and the views; Object.prototype is untouched; others unaffected', async (t) => {
  const file = path.join(tempDir(t), 'events.sqlite');
  let store = new SqliteEventStore({ file });
  const legacy = randomUUID();
  await appendLegacy(store, legacy, legacyHistory(legacy));
  const handler = new CommandHandler({ store });
  const other = await openWithDraft(handler);
  const sid = await invite(handler, other, 'Peace Institute');

  const state = await handler.load(legacy);
  t.strictSame(prototypeNames(), CLEAN_PROTOTYPE, 'folding added nothing to Object.prototype');
  t.equal(({} as Record<string, unknown>)['removed'], undefined);
  t.same([...state.stakeholders.keys()], [...HOSTILE]);
  t.equal(state.stakeholders.get('__proto__')?.removed, true, '"__proto__" is an ordinary stakeholder, removed');
  t.equal(state.stakeholders.get('constructor')?.removed, false);
  t.equal(state.comments.get('__proto__')?.answer?.response, 'Noted.');
  t.equal(state.comments.get('hasOwnProperty')?.retracted, true);
  t.same(state.drafts.get(1)?.sectionKeys, [...HOSTILE, 'valueOf']);
  t.ok(state.commands.has('constructor') && state.commands.has('toString') && state.commands.has('__proto__'));
  t.ok((await verifyStream(store, streamNameFor(legacy))).ok, 'the legacy chain still verifies');

  // the other consultation: an id named like a member is nobody there, and its own stakeholder is not "removed"
  const accepted = await handler.execute(commands.respondToInvitation, { consultationId: other, commandId: randomUUID(), actor: COORDINATOR, input: { stakeholderId: sid, response: 'accept' } });
  t.equal(accepted.events[0]?.type, 'InvitationAccepted');
  // command ids named after members are plain strings: first use works, a repeat replays
  const first = await handler.execute(commands.completeReview, { consultationId: other, commandId: 'toString', actor: COORDINATOR, input: { stakeholderId: sid, draftVersion: 1 } });
  t.equal(first.replayed, false, 'an Idempotency-Key of "toString" is new on first use');
  const again = await handler.execute(commands.completeReview, { consultationId: other, commandId: 'toString', actor: COORDINATOR, input: { stakeholderId: sid, draftVersion: 1 } });
  t.equal(again.replayed, true);
  const constructorKey = await handler.execute(commands.publishDraft, { consultationId: other, commandId: 'constructor', actor: COORDINATOR, input: { sections: [{ key: 'constructor', heading: 'A section named constructor', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' } });
  t.equal(constructorKey.replayed, false);
  const onConstructor = await handler.execute(commands.submitComment, { consultationId: other, commandId: randomUUID(), actor: COORDINATOR, input: { stakeholderId: sid, draftVersion: 2, sectionKey: 'constructor', text: 'A comment on the section "constructor"' } });
  t.equal(onConstructor.events[0]?.type, 'CommentSubmitted', 'a section key "constructor" is an ordinary key');
  // the legacy consultation takes new commands on top of its history
  const answered = await handler.execute(commands.answerComment, { consultationId: legacy, commandId: randomUUID(), actor: COORDINATOR, input: { commentId: '00000000-0000-4000-8000-000000000000', disposition: 'noted', response: 'x' } }).catch((e: unknown) => e);
  t.match(answered, { code: 'COMMENT_NOT_FOUND' });

  // the views, fed by the real runner
  const runner = new ProjectionRunner({ store, projections });
  await runner.start();
  await runner.caughtUp(30_000);
  const rows = (await stakeholders.read(runner.reader(stakeholders), legacy))!.view.stakeholders;
  t.same(rows.map((r) => [r.id, r.invitationStatus]), [['__proto__', 'removed'], ['constructor', 'invited'], ['hasOwnProperty', 'invited']]);
  const matrix = (await commentMatrix.read(runner.reader(commentMatrix), legacy))!.view;
  t.same(matrix.comments.map((c) => [c.commentId, c.sectionKey, c.status]), [['__proto__', 'constructor', 'answered'], ['hasOwnProperty', '__proto__', 'retracted']]);
  const otherRows = (await stakeholders.read(runner.reader(stakeholders), other))!.view.stakeholders;
  t.same(otherRows.map((r) => [r.id, r.invitationStatus]), [[sid, 'accepted']]);
  t.strictSame(prototypeNames(), CLEAN_PROTOTYPE, 'the views added nothing to Object.prototype');
  await runner.stop();

  // a restarted process folds the same
  await store.close();
  store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  const restarted = new CommandHandler({ store });
  t.equal((await restarted.load(legacy)).stakeholders.get('__proto__')?.removed, true);
  t.equal((await restarted.load(other)).stakeholders.get(sid)?.removed, false);
  t.strictSame(prototypeNames(), CLEAN_PROTOTYPE);
});

t.test('new commands refuse ids that are not UUIDs (before anything runs), whatever their name', async (t) => {
  const file = path.join(tempDir(t), 'events.sqlite');
  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  for (const hostile of [...HOSTILE, 'toString', 'x']) {
    const cases: [CommandDefinition, unknown][] = [
      [commands.removeStakeholder, { stakeholderId: hostile, reason: 'x' }],
      [commands.respondToInvitation, { stakeholderId: hostile, response: 'accept' }],
      [commands.retractComment, { commentId: hostile, reason: 'x' }],
      [commands.answerComment, { commentId: hostile, disposition: 'noted', response: 'x' }],
    ];
    for (const [command, input] of cases) {
      const error = await handler.execute(command, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input }).catch((e: unknown) => e);
      t.match(error, { name: 'ZodError' }, `${command.name} ${hostile}`);
    }
  }
  const history = await store.readStream(streamNameFor(id));
  t.equal(history.length, 2, 'nothing was appended');
});
