// A store that refused a write is not tried again until a probe write succeeds: every command
// answers 503 EVENT_STORE_UNAVAILABLE at once (with Retry-After), nothing reaches the store's
// append, reads go on, and once the probe succeeds the same Idempotency-Key is applied once. The
// full-disk test shows this on a real full tmpfs where root may mount one; this runs anywhere, on a
// real SQLite store whose append and probe refuse while `refusing` is set.
import t from 'tap';
import type { EventStore } from '../../src/store/port.ts';
import { EventStoreUnavailableError } from '../../src/store/unavailable.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.test('after a refused write: 503 at once, no append tried, until a probe write succeeds', async (t) => {
  const real = tempStore(t).store;
  let refusing = false;
  let appendsWhileRefusing = 0;
  const store: EventStore = Object.create(real, {
    append: { value: async (...args: Parameters<EventStore['append']>) => {
      if (refusing) {
        appendsWhileRefusing++;
        throw new EventStoreUnavailableError('disk full (simulated)');
      }
      return real.append(...args);
    } },
    probeWrite: { value: async () => {
      if (refusing) throw new EventStoreUnavailableError('disk full (simulated)');
      return real.probeWrite();
    } },
  });
  const api = await startApi(t, { store, storeProbeIntervalMs: 50 });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana', email: 'ioana@wipn.example' }, language: 'en' });
  const submit = (key: string) => api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, text: 'On participation.', channel: 'api' }, headers: { 'idempotency-key': key } });

  refusing = true;
  const first = await submit('first');
  t.equal(first.statusCode, 503);
  t.equal(first.json().code, 'EVENT_STORE_UNAVAILABLE');
  t.equal(appendsWhileRefusing, 1, 'the first command reached the store');
  for (const key of ['second', 'third', 'first']) {
    const res = await submit(key);
    t.equal(res.statusCode, 503, `${key}: refused`);
    t.equal(res.headers['retry-after'], '5', 'with Retry-After');
  }
  t.equal(appendsWhileRefusing, 1, 'the commands after it were refused without trying the store');
  t.equal((await api.call({ url: `/consultations/${id}/comments` })).statusCode, 200, 'reads go on');
  t.equal((await api.call({ url: '/readyz', as: null })).statusCode, 503, 'not ready');

  refusing = false;
  let ready = await api.call({ url: '/readyz', as: null });
  for (let i = 0; i < 200 && ready.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    ready = await api.call({ url: '/readyz', as: null });
  }
  t.equal(ready.statusCode, 200, 'ready again once a probe write succeeds');
  const retried = await submit('first');
  t.equal(retried.statusCode, 201, 'the refused command, retried with its key, is applied');
  t.strictSame((await submit('first')).json(), retried.json(), 'once');
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: unknown[] };
  t.equal(matrix.comments.length, 1, 'one comment recorded');
});
