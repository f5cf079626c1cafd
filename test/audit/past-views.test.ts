// A past view of a long stream (src/audit/views-at.ts PastViews): folded a page at a time, equal to
// one fold of the same events, and the event loop turns while it folds, so that one auditor's
// request for a big consultation does not stall every other request of the API.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { PastViews, viewsAt } from '../../src/audit/views-at.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { commentMatrix } from '../../src/projections/index.ts';
import { writeConsultation } from '../../bench/history.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.test('a 12,000-event stream: the view equals one fold of the events, and the event loop ran meanwhile', async (t) => {
  const { store } = tempStore(t);
  const id = randomUUID();
  const events = await writeConsultation(store, { stakeholders: 12, comments: 9_000 }, id);
  t.ok(events > 11_000, `${events} events`);
  const revision = events - 3;
  const all = (await store.readStream(streamNameFor(id))).slice(0, revision + 1);
  const now = String(all.at(-1)!.metadata.recordedAt);

  let turns = 0;
  let folding = true;
  const turn = () => {
    turns++;
    if (folding) setImmediate(turn);
  };
  setImmediate(turn);
  const past = new PastViews(store, id, { revision });
  const slot = await commentMatrix.read(past.reader(commentMatrix), id, now);
  folding = false;
  t.ok(turns >= 1, `the event loop turned ${turns} times during the fold`);
  t.equal(past.reflected?.revision, revision);
  t.strictSame(JSON.parse(JSON.stringify(slot?.view)), (await viewsAt(all, id, now)).comments, 'the same view as one fold of the same events');
});
