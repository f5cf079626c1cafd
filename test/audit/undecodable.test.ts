// A stream whose hash chain holds but one of whose events this version cannot decode (an old shape
// with no upcaster) is damaged like a broken link: the handler refuses it, the projections stop it
// there, `verifyStream` reports it, and another consultation goes on.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { eventHash, verifyStream } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { ZERO_HASH } from '../../src/domain/consultation.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import type { EventData, JsonObject } from '../../src/store/port.ts';
import { COORDINATOR, invite, openWithDraft } from '../helpers/consultation.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.test('a chain-valid event that does not decode marks its consultation damaged everywhere', async (t) => {
  const { store } = tempStore(t);
  const id = randomUUID();
  const streamName = streamNameFor(id);
  const events: [string, JsonObject][] = [
    ['ConsultationOpened', { consultationId: id, title: 'T', summary: '', leadOrganisation: 'L', languages: ['en'], timeZone: 'UTC' }],
    ['DraftPublished', { version: 1, sections: [{ key: 's1', heading: 'H', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' }],
    ['CommentAnswered', { commentId: randomUUID(), verdict: 'perhaps', response: 'an old shape nobody upcasts' }],
  ];
  let prevHash = ZERO_HASH;
  const data: EventData[] = events.map(([type, d], revision) => {
    const metadata = { commandId: `c${revision}`, commandHash: 'h', actor: { role: 'coordinator', id: 'x' }, recordedAt: '2026-11-01T00:00:00.000Z', prevHash };
    const hash = eventHash({ streamName, revision, type, data: d, metadata });
    prevHash = hash;
    return { id: randomUUID(), type, data: d, metadata: { ...metadata, hash } };
  });
  await store.append(streamName, data, 'no_stream');

  const verified = await verifyStream(store, streamName);
  t.match(verified, { ok: false, revision: 2, reason: /CommentAnswered: disposition/ });

  const damage = new DamageRegistry();
  const handler = new CommandHandler({ store, damage });
  const other = await openWithDraft(handler);
  await invite(handler, other, 'Peace Institute');
  const refused = await handler.execute(commands.publishDraft, {
    consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input: { sections: [{ key: 's1', heading: 'H', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' },
  }).catch((e: unknown) => e);
  t.match(refused, { code: 'HISTORY_DAMAGED', details: { streamName, revision: 2 } });
  t.equal((await store.readStream(streamName)).length, 3, 'nothing appended');

  const runner = new ProjectionRunner({ store, projections, damage });
  t.teardown(() => runner.stop());
  await runner.start();
  await runner.caughtUp(30_000);
  t.strictSame(runner.status().map((s) => s.failure), projections.map(() => null), 'no projection failed');
  t.match(damage.get(id), { revision: 2, reason: /CommentAnswered/ });
  t.equal(damage.get(other), undefined, 'the other consultation is intact');
});
