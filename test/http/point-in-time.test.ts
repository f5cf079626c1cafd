// Any view at any point: the end-to-end story (test/fixtures/story.ts) with every view captured
// live right after each of its commands; afterwards, each view asked for `?revision=` of that
// command answers exactly what was captured then (plus `asOf`), and `?at=` a time between two
// commands answers what stood after the earlier one. Then what a hurried or hostile caller sends.
import t from 'tap';
import { startApi } from '../helpers/http.ts';
import { story, storyClock, type Api } from '../fixtures/story.ts';

t.setTimeout(180_000);

const VIEWS = ['', '/stakeholders', '/comments', '/sign-off', '/drafts'] as const;

interface Capture {
  revision: number;
  /** the clock when it was captured: the time of the command */
  at: string;
  views: Record<string, { status: number; body: Record<string, unknown> }>;
}

t.test('every view at every revision of the story is what was served right after that command', async (t) => {
  const { clock, setTime } = storyClock();
  const api = await startApi(t, { clock });
  let id: string | null = null;
  const captures: Capture[] = [];
  const recording: Api = {
    runner: api.runner,
    store: api.store,
    async call(c) {
      const res = await api.call(c);
      const method = c.method ?? (c.body === undefined && c.payload === undefined ? 'GET' : 'POST');
      if (method === 'GET' || res.statusCode >= 300) return res;
      const ack = res.json() as { id?: string; revision?: number };
      id ??= ack.id ?? null;
      const revision = ack.revision;
      if (id === null || typeof revision !== 'number' || revision <= (captures.at(-1)?.revision ?? -1)) return res; // a no-op appends nothing
      const views: Capture['views'] = {};
      for (const v of VIEWS) {
        const got = await api.call({ url: `/consultations/${id}${v}`, as: 'auditor' });
        views[v] = { status: got.statusCode, body: got.json() };
      }
      captures.push({ revision, at: clock().toISOString(), views });
      return res;
    },
  };
  await story(t, recording, setTime);
  t.ok(captures.length >= 20, `${captures.length} points captured`);

  for (const capture of captures) {
    for (const v of VIEWS) {
      const past = await api.call({ url: `/consultations/${id}${v}?revision=${capture.revision}`, as: 'auditor' });
      const live = capture.views[v]!;
      t.equal(past.statusCode, live.status, `${v || '/'} at revision ${capture.revision}: status`);
      if (live.status !== 200) {
        t.equal(past.json().code, live.body['code'], `${v || '/'} at revision ${capture.revision}: the same refusal`);
        continue;
      }
      const { asOf, ...view } = past.json() as { asOf: { revision: number; at: string } } & Record<string, unknown>;
      t.strictSame(view, live.body, `${v || '/'} at revision ${capture.revision}`);
      t.equal(asOf.revision, capture.revision, 'it names the revision it reflects');
    }
  }

  // ?at= between two commands: what stood after the earlier one, its derived fields at that instant
  const [a, b] = [captures[5]!, captures[6]!];
  const between = new Date((Date.parse(a.at) + Date.parse(b.at)) / 2).toISOString();
  if (between > a.at && between < b.at) {
    const atSummary = await api.call({ url: `/consultations/${id}/stakeholders?at=${encodeURIComponent(between)}`, as: 'auditor' });
    t.equal(atSummary.statusCode, 200, atSummary.body);
    t.equal(atSummary.json().asOf.revision, a.revision);
    t.equal(atSummary.json().asOf.at, between);
  }
  const atFirst = await api.call({ url: `/consultations/${id}?at=${encodeURIComponent(captures[0]!.at)}`, as: 'auditor' });
  const sameTime = captures.filter((c) => c.at === captures[0]!.at).at(-1)!;
  t.equal(atFirst.json().asOf.revision, sameTime.revision, 'an instant equal to commands\' time includes them all');
  t.strictSame(atFirst.json().readyForAdoption, sameTime.views['']!.body['readyForAdoption']);
});

t.test('bad points: both given, a revision past the head, an instant before the opening or in the future, garbage', async (t) => {
  let now = new Date('2027-01-10T09:00:00.000Z');
  const api = await startApi(t, { clock: () => now });
  const opened = await api.call({ url: '/consultations', body: { title: 'T', summary: 'S', leadOrganisation: 'L', languages: ['en'], timeZone: 'Europe/Bucharest' } });
  const id = opened.json().id as string;
  now = new Date('2027-01-11T09:00:00.000Z');
  const both = await api.call({ url: `/consultations/${id}?revision=0&at=2027-01-10T09:00:00Z` });
  t.equal(both.statusCode, 400);
  t.equal(both.json().code, 'POINT_IN_TIME_CONFLICT');
  const future = await api.call({ url: `/consultations/${id}?at=2027-02-01T00:00:00Z` });
  t.equal(future.json().code, 'POINT_IN_TIME_CONFLICT');
  const past = await api.call({ url: `/consultations/${id}?revision=5` });
  t.equal(past.statusCode, 404);
  t.equal(past.json().code, 'REVISION_NOT_FOUND');
  const before = await api.call({ url: `/consultations/${id}/stakeholders?at=2027-01-09T00:00:00%2B02:00` });
  t.equal(before.statusCode, 404);
  t.equal(before.json().code, 'REVISION_NOT_FOUND');
  for (const q of ['revision=-1', 'revision=1.5', 'revision=abc', 'at=yesterday', 'at=2027-01-10T09:00:00']) {
    const bad = await api.call({ url: `/consultations/${id}/drafts?${q}` });
    t.equal(bad.statusCode, 400, q);
    t.equal(bad.json().code, 'INVALID_INPUT', q);
  }
  const unknown = await api.call({ url: '/consultations/0f0e0d0c-0b0a-4000-8000-000000000009/comments?revision=0' });
  t.equal(unknown.json().code, 'CONSULTATION_NOT_FOUND');
  const offset = await api.call({ url: `/consultations/${id}?at=2027-01-10T11:00:00%2B02:00` });
  t.equal(offset.statusCode, 200, 'an instant with an offset is the same instant in UTC');
  t.equal(offset.json().asOf.revision, 0);
});
