// Export bundles: made through the API and the command line, checked offline by the Node-only
// verifier (verifier/verify-bundle.mjs) and by `consult verify --bundle` (which also replays the
// views); one edited byte, a dropped last event, a head re-signed with another key, an edited view
// and a missing trusted key are each reported.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { canonicalJson, checkBundle } from '../../verifier/verify-bundle.mjs';
import { replayFindings } from '../../src/audit/bundle-replay.ts';
import type { Bundle } from '../../src/audit/export.ts';
import { headMessage } from '../../src/audit/heads.ts';
import { resolveAuditSigningKey } from '../../src/audit/signing-key.ts';
import { consult } from '../helpers/consult.ts';
import { eventCount, inviteThroughApi, openConsultation, startApi, withoutLocalTimes } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.setTimeout(120_000);
const VERIFIER = fileURLToPath(new URL('../../verifier/verify-bundle.mjs', import.meta.url));

/** A small story through the API on a store in a data directory whose signing key the server made. */
async function story(t: Test) {
  const { store, dir } = tempStore(t);
  const key = resolveAuditSigningKey({ NODE_ENV: 'development', dataDir: dir });
  let now = new Date('2027-01-10T09:00:00.000Z');
  const api = await startApi(t, { store, clock: () => now });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, {
    organisation: 'Women in Peace Network', kind: 'civil-society', contacts: [{ name: 'Ana Pop', email: 'ana@wpn.example' }], language: 'ro', endorser: false,
  });
  now = new Date('2027-01-11T09:00:00.000Z');
  const c = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, sectionKey: 's1', text: 'Name a target — 30 %, «now».' } });
  t.equal(c.statusCode, 201, c.body);
  now = new Date('2027-01-12T09:00:00.000Z');
  await api.call({ url: `/consultations/${id}/comments/${c.json().commentId}/answer`, body: { disposition: 'accepted', response: 'Added.' } });
  return { api, id, dir, key, env: { DATA_DIR: dir } };
}


t.test('the export route: an indented attachment holding every event as stored, the signed head, the key and the views at the head', async (t) => {
  const { api, id, key } = await story(t);
  const res = await api.call({ url: `/consultations/${id}/export`, as: 'auditor' });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['content-disposition'], `attachment; filename="consultation-${id}.json"`);
  t.match(res.headers['content-type'], /^application\/json/);
  t.match(res.body, /^\{\n {2}"format": "wps-consult-export\/1",\n/, 'indented: a person can read it');
  const bundle = JSON.parse(res.body) as Bundle;
  t.equal(bundle.events.length, await eventCount(api, id));
  const stored = (await api.call({ url: `/consultations/${id}/events?limit=1000` })).json().events as { data: unknown; metadata: unknown; type: string }[];
  t.strictSame(bundle.events.map((e) => [e.type, e.data, e.metadata]), stored.map((e) => [e.type, e.data, e.metadata]), 'exactly as stored');
  t.match(bundle.publicKey, /^-----BEGIN PUBLIC KEY-----/, 'the server\'s key, for information');
  t.not(bundle.publicKey, key.publicKeyPem, 'this app signs with its own key (startApi gives none)');
  t.strictSame(checkBundle(bundle, bundle.publicKey), []);
  t.strictSame(await replayFindings(bundle), []);
  // the views are those the routes serve at the head's time (the clock has not moved since the last command)
  // computed without keys: the bundle's personal values are their key ids, where the routes show them
  const keyIds = new Set<string>();
  const personal = new Set(['Ana Pop', 'ana@wpn.example']);
  const masked = (v: unknown, key: (s: string) => string | null): unknown => typeof v === 'string' ? key(v) ?? v
    : Array.isArray(v) ? v.map((x) => masked(x, key))
    : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x, key)])) : v;
  bundle.views = masked(bundle.views, (s) => {
    const m = /^\[key (pk-[0-9a-f-]+)\]$/.exec(s);
    if (m) keyIds.add(m[1]!);
    return m ? '(personal)' : null;
  }) as Bundle['views'];
  t.equal(keyIds.size, 1, 'the bundle\'s views show the contact\'s name and address as the id of its key');
  t.notMatch(JSON.stringify(bundle), /Ana Pop|ana@wpn/, 'and the bundle names nobody');
  const served = async (url: string) => {
    const { next: _paging, ...view } = masked(withoutLocalTimes((await api.call({ url: `/consultations/${id}${url}` })).json()), (s) => personal.has(s) ? '(personal)' : null) as Record<string, unknown>;
    return view;
  };
  t.strictSame(bundle.views.stakeholders, await served('/stakeholders'), 'the stakeholders as GET serves them (one page)');
  t.strictSame(bundle.views.comments, await served('/comments'), 'the comments as GET serves them');
  // GET …/sign-off answers for one version (the latest): the view's consultation fields and that version's
  const signOffView = bundle.views['sign-off'] as Record<string, unknown> & { versions: Record<string, unknown>[] };
  const signOffServed = await served('/sign-off');
  for (const k of ['consultationId', 'status', 'outcome', 'finalDraftVersion', 'latestVersion', 'endorsers']) t.strictSame(signOffServed[k], signOffView[k], `sign-off ${k}`);
  const latest = signOffView.versions.at(-1)!;
  for (const k of Object.keys(latest)) if (k in signOffServed) t.strictSame(signOffServed[k], latest[k], `sign-off of the latest version: ${k}`);
  t.strictSame(bundle.views.drafts, await served('/drafts'), 'the drafts');
  t.equal((await api.call({ url: `/consultations/${id}/export`, as: null })).statusCode, 401);
  t.equal((await api.call({ url: '/consultations/0f0e0d0c-0b0a-4000-8000-000000000009/export' })).statusCode, 404);
});

t.test('consult export, then the offline checks: intact 0; one byte, a dropped event, another key, an edited view 1; no trusted key 2', async (t) => {
  const { id, dir, key, env } = await story(t);
  const file = path.join(dir, 'bundle.json');
  const exported = await consult(['export', '--consultation', id, '--out', file], { env });
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stderr, /5 events, head at revision 4, written to /);
  const keyFile = path.join(dir, 'trusted.pem');
  writeFileSync(keyFile, key.publicKeyPem);
  const text = readFileSync(file, 'utf8');

  const node = (f: string, ...extra: string[]) => spawnSync(process.execPath, [VERIFIER, f, ...extra], { encoding: 'utf8' });
  const full = (f: string, ...extra: string[]) => consult(['verify', '--bundle', f, ...extra], { env });

  t.equal(node(file, '--public-key', keyFile).status, 0, 'Node alone: intact');
  const intact = await full(file, '--public-key', keyFile);
  t.equal(intact.status, 0, intact.stdout);
  t.match(intact.stdout, /ok +5 events chain, the head at revision 4 is signed by the trusted key, the views replay/);

  const noKey = await full(file);
  t.equal(noKey.status, 2);
  t.match(noKey.stderr, /no trusted key/);
  t.equal(node(file).status, 2, 'the Node-only verifier too');

  const write = (name: string, content: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    return f;
  };
  // one byte of one event's data
  const oneByte = write('one-byte.json', text.replace('Name a target', 'Name a targat'));
  t.not(oneByte, file);
  for (const run of [node(oneByte, '--public-key', keyFile), await full(oneByte, '--public-key', keyFile)]) {
    t.equal(run.status, 1);
    t.match(run.stdout, /FAILED +event 3 \(revision 3, CommentSubmitted\): hash does not match the event's content/);
  }
  // the last event dropped (the head still names it)
  const bundle = JSON.parse(text) as Bundle;
  const dropped = write('dropped.json', JSON.stringify({ ...bundle, events: bundle.events.slice(0, -1) }, null, 2));
  const d = await full(dropped, '--public-key', keyFile);
  t.equal(d.status, 1);
  t.match(d.stdout, /FAILED +the head is at revision 4, the last event at 3/);
  // dropped, and the head re-signed with another key that the bundle now carries
  const other = generateKeyPairSync('ed25519');
  const last = bundle.events.at(-2)!;
  const forgedHead = { ...bundle.head, revision: last.revision, hash: String(last.metadata.hash), recordedAt: String(last.metadata.recordedAt) };
  const resigned = { ...forgedHead, signature: sign(null, headMessage(forgedHead), other.privateKey).toString('base64') };
  const forged = write('forged.json', JSON.stringify({
    ...bundle, manifest: { ...bundle.manifest, events: 4 }, head: resigned, events: bundle.events.slice(0, -1),
    publicKey: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  }, null, 2));
  for (const run of [node(forged, '--public-key', keyFile), await full(forged, '--public-key', keyFile)]) {
    t.equal(run.status, 1, 'the bundle\'s own key is not trusted');
    t.match(run.stdout, /FAILED +the head's signature does not verify with the trusted public key/);
  }
  // a view edited: the chain and signature hold, the replay does not give it
  const views = structuredClone(bundle.views) as Record<string, { comments?: { text: string }[] }>;
  views['comments']!.comments![0]!.text = 'Something else';
  const editedView = write('view.json', JSON.stringify({ ...bundle, views }, null, 2));
  t.equal(node(editedView, '--public-key', keyFile).status, 0, 'Node alone does not replay views (it says so in its header)');
  const v = await full(editedView, '--public-key', keyFile);
  t.equal(v.status, 1);
  t.match(v.stdout, /FAILED +view comments: replaying the events does not give the view the bundle carries/);
  t.equal((await full(write('junk.json', '{"format": "other"}'), '--public-key', keyFile)).status, 1);
});

t.test('the Node-only verifier\'s canonical JSON is the library\'s (canonicalize, RFC 8785)', async (t) => {
  const values: unknown[] = [
    { b: 1, a: [true, null, 'x'], é: { z: -0, y: 1e21, x: 0.1 + 0.2 } }, 'ünïcödé \u2028 \ud83d\ude00 "quoted" \\ \n', [], {}, 12345678901234567890,
    { '\u00e9': 1, e: 2, E: 3, '10': 4, '9': 5 }, 1e-7, -1.5,
  ];
  for (const [i, v] of values.entries()) t.equal(canonicalJson(v), canonicalize(v), `value ${i}`);
  const { api, id } = await story(t);
  const bundle = JSON.parse((await api.call({ url: `/consultations/${id}/export` })).body) as Bundle;
  for (const e of bundle.events) t.equal(canonicalJson(e), canonicalize(e));
});
