// A deployment that brings a new version of a view: it builds at start beside the old one; its reads
// meanwhile serve the previous version's documents marked `stale: true` (with an ETag of their
// own), every command answers 503 VIEWS_REBUILDING with Retry-After, and once it has built, the
// fresh view is served and commands run again.
import t from 'tap';
import path from 'node:path';
import { drafts, projections } from '../../src/projections/index.ts';
import { SqliteViewStore } from '../../src/views/sqlite-view-store.ts';
import { DRAFT_BODY, OPEN_BODY, startApi } from '../helpers/http.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

t.test('a new version of a view: stale reads of the old documents and VIEWS_REBUILDING for commands, until it has built', async (t) => {
  const { store } = tempStore(t);
  const file = path.join(tempDir(t), 'views.sqlite');
  let id: string;
  {
    const viewStore = new SqliteViewStore({ file });
    const before = await startApi(t, { store, viewStore });
    const opened = await before.call({ url: '/consultations', body: OPEN_BODY });
    t.equal(opened.statusCode, 201, opened.body);
    id = opened.json().id;
    t.equal((await before.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY })).statusCode, 201);
    await before.app.close();
    await before.runner.stop();
    await viewStore.close();
  }

  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const next = { ...drafts, version: drafts.version + 1, async apply(...args: Parameters<typeof drafts.apply>) { await gate; return drafts.apply(...args); } };
  const viewStore = new SqliteViewStore({ file });
  t.teardown(() => viewStore.close());
  const api = await startApi(t, { store, viewStore, projections: [...projections.filter((p) => p !== drafts), next], caughtUp: false });
  await new Promise((resolve) => setTimeout(resolve, 100));

  const stale = await api.call({ url: `/consultations/${id}/drafts` });
  t.equal(stale.statusCode, 200, stale.body);
  t.equal(stale.json().stale, true, 'marked stale');
  t.equal(stale.json().drafts.length, 1, 'the previous version\'s documents');
  t.match(stale.headers.etag, /^W\/"stale-/, 'an ETag of its own');
  const one = await api.call({ url: `/consultations/${id}/drafts/1` });
  t.equal(one.json().stale, true);
  const fresh = await api.call({ url: `/consultations/${id}` });
  t.equal(fresh.json().stale, undefined, 'a view whose version did not change is not stale');

  const refused = await api.call({ url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'v2' } });
  t.equal(refused.statusCode, 503);
  t.equal(refused.json().code, 'VIEWS_REBUILDING');
  t.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
  t.equal((await api.call({ url: '/readyz', as: null })).statusCode, 503, 'not ready meanwhile');

  open();
  await api.runner.caughtUp();
  const built = await api.call({ url: `/consultations/${id}/drafts` });
  t.equal(built.json().stale, undefined, 'no longer stale');
  t.notMatch(built.headers.etag, /stale/);
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'v2' } })).statusCode, 201, 'commands run again');
  t.equal((await api.call({ url: '/readyz', as: null })).statusCode, 200);
});
