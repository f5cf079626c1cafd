// The handler folds a long stream a page at a time (issue 9's fold-memory): the state is the one a
// fold of the whole history gives, no read asks for more than a page, and damage in a later page is
// found at its revision as in the first.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { HistoryDamagedError } from '../../src/audit/damage.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { evolve, initialState } from '../../src/domain/consultation.ts';
import { fromRecorded } from '../../src/domain/decode.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import type { EventStore } from '../../src/store/port.ts';
import { writeConsultation } from '../../bench/history.ts';
import { tamperSqlite } from '../helpers/tamper.ts';
import { tempStore } from '../helpers/temp-store.ts';

/** The store, with every readStream's asked count and answered length noted. */
function counting(store: EventStore) {
  const reads: { maxCount: number | undefined; length: number }[] = [];
  const spy = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'readStream') return Reflect.get(target, name, receiver);
      return async (stream: string, options?: { fromRevision?: number; maxCount?: number }) => {
        const events = await target.readStream(stream, options);
        reads.push({ maxCount: options?.maxCount, length: events.length });
        return events;
      };
    },
  });
  return { spy, reads };
}

t.test('a 2,400-event stream: the paged fold equals the whole fold, and no read holds more than a page', async (t) => {
  const { store } = tempStore(t);
  const id = randomUUID();
  const events = await writeConsultation(store, { stakeholders: 12, comments: 1_800 }, id);
  t.ok(events > 2_000, `${events} events`);
  const whole = initialState();
  for (const e of await store.readStream(streamNameFor(id))) evolve(whole, fromRecorded(e));

  const { spy, reads } = counting(store);
  const state = await new CommandHandler({ store: spy }).load(id);
  t.equal(state.revision, events - 1);
  t.same(state, whole, 'the same state as one fold of everything');
  t.ok(reads.length >= 3, `${reads.length} reads`);
  t.ok(reads.every((r) => r.maxCount !== undefined && r.length <= r.maxCount && r.maxCount <= 1000), `every read bounded: ${JSON.stringify(reads)}`);
});

t.test('damage in a later page is found at its revision', async (t) => {
  const { store, file } = tempStore(t);
  const id = randomUUID();
  await writeConsultation(store, { stakeholders: 12, comments: 1_800 }, id);
  tamperSqlite(file, streamNameFor(id), 1_500, 'a changed byte in data');
  const error = await new CommandHandler({ store }).load(id).catch((e: unknown) => e);
  t.ok(error instanceof HistoryDamagedError, String(error));
  t.match(error, { code: 'HISTORY_DAMAGED', details: { revision: 1_500, reason: 'hash does not match the event\'s content' } });
});
