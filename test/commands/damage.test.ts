// The command handler on a damaged history (a real SQLite file, tampered through its own
// connection): it checks every link as it folds, so a command on a consultation whose chain does
// not hold, or that has an unreadable event, fails with HISTORY_DAMAGED naming the revision, and
// nothing is appended; the consultation is marked damaged and later commands fail fast. Other
// consultations in the same store are untouched.
import t from 'tap';
import { DamageRegistry, HistoryDamagedError } from '../../src/audit/damage.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';
import { TAMPERINGS, countRows, expectedDamage, tamperSqlite } from '../helpers/tamper.ts';
import { tempStore } from '../helpers/temp-store.ts';

type Teardown = { teardown(fn: () => unknown): void };

/** A consultation of five events (open, draft, invite, two comments) and its stakeholder. */
async function written(t: Teardown) {
  const { store, file } = tempStore(t);
  const writer = new CommandHandler({ store });
  const id = await openWithDraft(writer);
  const sid = await invite(writer, id, 'Women Mediators Network');
  await comment(writer, id, sid, 'Please name the budget line.');
  await comment(writer, id, sid, 'And a monitoring indicator.');
  return { store, file, id, sid, stream: streamNameFor(id) };
}

for (const kind of TAMPERINGS) {
  t.test(`${kind}: the command fails with HISTORY_DAMAGED at that revision, nothing is appended, and the consultation is marked`, async (t) => {
    const { store, file, id, sid, stream } = await written(t);
    tamperSqlite(file, stream, 3, kind);
    const rows = countRows(file, stream);
    const damage = new DamageRegistry();
    const handler = new CommandHandler({ store, damage });
    const expected = expectedDamage(kind, 3);

    const error = await comment(handler, id, sid, 'On top of a broken history?').catch((e: unknown) => e);
    t.ok(error instanceof HistoryDamagedError, String(error));
    t.match(error, { code: 'HISTORY_DAMAGED', status: 503, details: { streamName: stream, ...expected } });
    t.equal(countRows(file, stream), rows, 'nothing was appended');
    t.match(damage.list(), [{ consultationId: id, streamName: stream, ...expected, detectedBy: 'handler' }]);
  });
}

t.test('later commands and load() on a damaged consultation fail fast with the same error', async (t) => {
  const { store, file, id, sid, stream } = await written(t);
  tamperSqlite(file, stream, 2, 'a changed byte in data');
  const handler = new CommandHandler({ store }); // no registry: the handler remembers on its own
  const first = await comment(handler, id, sid, 'one').catch((e: unknown) => e);
  const again = await comment(handler, id, sid, 'two').catch((e: unknown) => e);
  const loaded = await handler.load(id).catch((e: unknown) => e);
  for (const error of [first, again, loaded]) t.match(error, { code: 'HISTORY_DAMAGED', details: { streamName: stream, revision: 2 } });
  t.equal(countRows(file, stream), 5, 'nothing was appended');
});

t.test('a consultation marked damaged by someone else is refused, even while this handler holds an intact state of it', async (t) => {
  const { store, file, id, sid, stream } = await written(t);
  const damage = new DamageRegistry();
  const handler = new CommandHandler({ store, damage });
  await comment(handler, id, sid, 'folded and cached'); // the handler caches revision 5
  damage.mark(id, { streamName: stream, revision: 1, reason: 'hash does not match the event\'s content', detectedBy: 'verifier' });
  await t.rejects(comment(handler, id, sid, 'refused'), { code: 'HISTORY_DAMAGED', details: { revision: 1 } });
  await t.rejects(handler.load(id), { code: 'HISTORY_DAMAGED' });
  t.equal(countRows(file, stream), 6, 'only the command before the mark was appended');
});

t.test('another consultation in the same store keeps working', async (t) => {
  const { store, file, stream, id, sid } = await written(t);
  const damage = new DamageRegistry();
  const handler = new CommandHandler({ store, damage });
  const other = await openWithDraft(handler);
  const otherSid = await invite(handler, other, 'Peace Institute');
  tamperSqlite(file, stream, 1, 'unparseable data');
  await t.rejects(comment(new CommandHandler({ store, damage }), id, sid, 'refused'), { code: 'HISTORY_DAMAGED' });
  const result = await comment(handler, other, otherSid, 'Still heard');
  t.equal(result.revision, 3);
  t.same(damage.list().map((d) => d.consultationId), [id], 'only the tampered consultation is damaged');
});

t.test('the registry keeps the first damage found, unless a later report names a lower revision', async (t) => {
  const at = new Date('2027-03-01T09:00:00.000Z');
  const damage = new DamageRegistry({ clock: () => at });
  const site = { streamName: 'consultation-x', reason: 'r', detectedBy: 'projections' as const };
  t.match(damage.mark('x', { ...site, revision: 7 }), { revision: 7, detectedBy: 'projections', detectedAt: at.toISOString() });
  t.match(damage.mark('x', { ...site, revision: 9, detectedBy: 'verifier' }), { revision: 7, detectedBy: 'projections' }, 'a later, higher report is ignored');
  t.match(damage.mark('x', { ...site, revision: 3, detectedBy: 'handler' }), { revision: 3, detectedBy: 'handler' }, 'a lower revision wins');
  t.equal(damage.get('y'), undefined);
  t.equal(damage.list().length, 1);
});
