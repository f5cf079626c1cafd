// A command's response is sent only once every view reflects it, even when the views lag: the
// store here delivers live events to the projections 300 ms late.
import t from 'tap';
import { DRAFT_BODY, OPEN_BODY, startApi } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { withSlowSubscriptions } from '../helpers/slow-subscriptions.ts';

t.test('GET right after a command sees the command, although the views lag behind the store', async (t) => {
  const { store } = tempStore(t);
  const api = await startApi(t, { store: withSlowSubscriptions(store, 300) });
  const opened = await api.call({ url: '/consultations', body: OPEN_BODY });
  t.equal(opened.statusCode, 201);
  const { id } = opened.json() as { id: string };
  t.equal((await api.call({ url: `/consultations/${id}` })).statusCode, 200, 'the new consultation is in the view');
  const draft = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  t.equal(draft.statusCode, 201);
  t.equal((await api.call({ url: `/consultations/${id}` })).json().currentDraftVersion, 1, 'the summary shows the new draft');
  t.equal((await api.call({ url: `/consultations/${id}/drafts/1` })).statusCode, 200);

  // the same reads without the wait would have missed it: the views are still behind right after an append
  const result = await api.handler.execute((await import('../../src/commands/index.ts')).commands.extendDeadline, {
    consultationId: id, commandId: 'direct-extend', actor: { role: 'coordinator', id: 'test' },
    input: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'more time' },
  });
  t.not((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2100-01-01T00:00:00Z', 'not yet in the view without waiting');
  await api.runner.waitFor(result.position);
  t.equal((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2100-01-01T00:00:00Z');
});
