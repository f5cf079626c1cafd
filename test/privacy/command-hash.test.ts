// The `commandHash` in every event's metadata (idempotency) must not confirm a guessed address:
// with a key store it is an HMAC under the key store's secret, not a plain hash of the input.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { MemoryKeyStore } from '../../src/privacy/key-store.ts';
import { PersonalDataStore } from '../../src/privacy/personal-store.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { COORDINATOR, openWithDraft } from '../helpers/consultation.ts';

const INPUT = { organisation: 'Women in Peace Network', kind: 'civil-society', contacts: [{ name: 'Ioana Marinescu', email: 'ioana@wipn.example' }], language: 'en', endorser: false };

const inviteWith = (handler: CommandHandler, consultationId: string, commandId: string, input: unknown = INPUT) =>
  handler.execute(commands.inviteStakeholder, { consultationId, commandId, actor: COORDINATOR, input });

/** What someone holding the log would compute for a guessed input. */
const plainHash = (name: string, input: unknown) => sha256Hex(canonicalJson({ command: name, input }));

t.test('with a key store, an invitation\'s commandHash is an HMAC: hashing a guessed address does not match it', async (t) => {
  const { store: inner } = tempStore(t);
  const store = new PersonalDataStore(inner, new MemoryKeyStore());
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const commandId = randomUUID();
  await inviteWith(handler, id, commandId);

  const invited = (await inner.readStream(streamNameFor(id))).find((e) => e.metadata['commandId'] === commandId)!;
  const recorded = String(invited.metadata['commandHash']);
  t.match(recorded, /^hmac:[A-Za-z0-9_-]{43}$/, 'marked as an HMAC');
  t.not(recorded, plainHash(commands.inviteStakeholder.name, commands.inviteStakeholder.schema.parse(INPUT)), 'the guess does not confirm the address');

  const again = await inviteWith(handler, id, commandId);
  t.equal(again.replayed, true, 'the same command again is still recognised');
  const fresh = new CommandHandler({ store });
  t.equal((await inviteWith(fresh, id, commandId)).replayed, true, 'by a fresh handler too (the HMAC is stable)');
  await t.rejects(inviteWith(fresh, id, commandId, { ...INPUT, contacts: [{ name: 'Ioana Marinescu', email: 'other@wipn.example' }] }), { code: 'COMMAND_ID_REUSED' }, 'other input with the same id is still refused');
});

t.test('a fact appended beside the commands (an erasure) is recorded with an HMAC too', async (t) => {
  const { store: inner } = tempStore(t);
  const store = new PersonalDataStore(inner, new MemoryKeyStore());
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const input = { email: 'ioana@wipn.example', reason: 'asked by her' };
  const fact = { type: 'PersonalDataErased', data: { erasureId: randomUUID(), reason: input.reason, keyIds: [], contacts: [], signatures: [], heldReplies: [] } } satisfies DomainEvent;
  const { revision } = await handler.appendFact(id, { commandId: 'erase-1', actor: COORDINATOR, commandName: 'erasePersonalData', input }, fact);
  const stored = (await inner.readStream(streamNameFor(id)))[revision]!;
  t.match(String(stored.metadata['commandHash']), /^hmac:/);
  t.not(stored.metadata['commandHash'], plainHash('erasePersonalData', input));
});

t.test('events written before (a plain sha-256 commandHash) still recognise their command ids', async (t) => {
  const { store: inner } = tempStore(t);
  const before = new CommandHandler({ store: inner }); // no key store: the plain hash, as older events carry
  const id = await openWithDraft(before);
  const commandId = randomUUID();
  await inviteWith(before, id, commandId);
  const recorded = (await inner.readStream(streamNameFor(id))).find((e) => e.metadata['commandId'] === commandId)!.metadata['commandHash'];
  t.equal(recorded, plainHash(commands.inviteStakeholder.name, commands.inviteStakeholder.schema.parse(INPUT)), 'the old form is a plain hash');

  const now = new CommandHandler({ store: new PersonalDataStore(inner, new MemoryKeyStore()) });
  t.equal((await inviteWith(now, id, commandId)).replayed, true, 'the same command again replays, not COMMAND_ID_REUSED');
  await t.rejects(inviteWith(now, id, commandId, { ...INPUT, organisation: 'Another network' }), { code: 'COMMAND_ID_REUSED' });
});
