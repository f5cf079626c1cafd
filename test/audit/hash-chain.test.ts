// The tamper-evident history: verify holds on a written stream and reports the first revision
// that does not, when one byte of a stored event is changed behind the store's back.
import t from 'tap';
import Database from 'better-sqlite3';
import { CommandHandler } from '../../src/commands/handler.ts';
import { canonicalJson, hashTextOfStored, sha256Hex, verifyStream, eventHash, ZERO_HASH } from '../../src/audit/hash-chain.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';
import type { JsonObject } from '../../src/store/port.ts';

async function writtenConsultation(t: { teardown(fn: () => unknown): void }) {
  const { store, file } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women Mediators Network');
  await comment(handler, id, sid, 'Please name the budget line.');
  await comment(handler, id, sid, 'And a monitoring indicator.');
  return { store, file, stream: streamNameFor(id) };
}

/** Edits a stored event's JSON column directly in the database file, as an intruder would. */
function tamper(file: string, stream: string, revision: number, column: 'data' | 'metadata', edit: (json: string) => string) {
  const db = new Database(file);
  try {
    const row = db.prepare(`SELECT ${column} AS v FROM events WHERE stream = ? AND revision = ?`).get(stream, revision) as { v: string };
    db.prepare(`UPDATE events SET ${column} = ? WHERE stream = ? AND revision = ?`).run(edit(row.v), stream, revision);
  } finally {
    db.close();
  }
}

t.test('verify holds on a stream written through the handler', async (t) => {
  const { store, stream } = await writtenConsultation(t);
  const result = await verifyStream(store, stream);
  t.match(result, { ok: true, events: 5 });
});

t.test('one changed byte in an event\'s data is reported at that revision', async (t) => {
  const { store, file, stream } = await writtenConsultation(t);
  tamper(file, stream, 3, 'data', (json) => json.replace('budget', 'budgeT'));
  t.same(await verifyStream(store, stream), {
    ok: false, streamName: stream, events: 5, revision: 3, reason: 'hash does not match the event\'s content',
  });
});

t.test('a changed actor in the metadata is reported', async (t) => {
  const { store, file, stream } = await writtenConsultation(t);
  tamper(file, stream, 2, 'metadata', (json) => json.replace('gender-office', 'gender-officE'));
  t.match(await verifyStream(store, stream), { ok: false, revision: 2 });
});

t.test('an event rewritten with a recomputed hash breaks the link to the next one', async (t) => {
  const { store, file, stream } = await writtenConsultation(t);
  const events = await store.readStream(stream);
  const target = events[3]!;
  const data = { ...target.data, text: 'A quieter comment.' } as JsonObject;
  const { hash: _old, ...rest } = target.metadata;
  const hash = eventHash({ streamName: stream, revision: 3, type: target.type, data, metadata: rest });
  tamper(file, stream, 3, 'data', () => JSON.stringify(data));
  tamper(file, stream, 3, 'metadata', () => JSON.stringify({ ...rest, hash }));
  t.match(await verifyStream(store, stream), { ok: false, revision: 4, reason: /prevHash/ });
});

t.test('the hash covers the stream name and revision, and chains from the zero hash', async (t) => {
  const base = { streamName: 'consultation-a', revision: 0, type: 'X', data: { a: 1 }, metadata: { prevHash: ZERO_HASH } };
  const h = eventHash(base);
  t.match(h, /^[0-9a-f]{64}$/);
  t.not(eventHash({ ...base, streamName: 'consultation-b' }), h);
  t.not(eventHash({ ...base, revision: 1 }), h);
  t.equal(eventHash({ ...base, data: { a: 1 } }), h, 'deterministic');
  t.equal(eventHash({ ...base, metadata: { prevHash: ZERO_HASH }, data: JSON.parse('{"a":1}') }), h, 'key order does not matter');
});

// The SQLite store keeps data and metadata as canonical text, and the check hashes that text as it
// is stored (hashTextOfStored); rows written before, as JSON.stringify wrote them, take the full check.
t.test('the stored text is canonical, and the hash is checked on it', async (t) => {
  const { store, stream } = await writtenConsultation(t);
  const events = await store.readStream(stream);
  for (const e of events) {
    t.ok(e.stored, `revision ${e.revision} carries its stored text`);
    t.equal(e.stored!.data, canonicalJson(e.data), 'data stored canonically');
    t.equal(e.stored!.metadata, canonicalJson(e.metadata), 'metadata stored canonically');
    const text = hashTextOfStored(e, e.stored!, e.metadata.hash as string);
    const { hash, ...rest } = e.metadata;
    t.equal(text, canonicalJson({ streamName: e.streamName, revision: e.revision, type: e.type, data: e.data, metadata: rest }), 'the same text the full check builds');
    t.equal(sha256Hex(text!), hash);
  }
});

t.test('rows stored as JSON.stringify wrote them (keys in any order) still verify, and their damage is still found', async (t) => {
  const { store, file, stream } = await writtenConsultation(t);
  // rewrite every row with its keys reversed: valid JSON, not canonical, the same values
  const reversed = (json: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json) as JsonObject).reverse()));
  for (let r = 0; r < 5; r++) {
    tamper(file, stream, r, 'data', reversed);
    tamper(file, stream, r, 'metadata', reversed);
  }
  const events = await store.readStream(stream);
  t.not(events[3]!.stored!.metadata, canonicalJson(events[3]!.metadata), 'the rows are not canonical now');
  t.equal(hashTextOfStored(events[3]!, events[3]!.stored!, events[3]!.metadata.hash as string), null, 'prevHash before hash: the stored-text path declines at once');
  t.match(await verifyStream(store, stream), { ok: true, events: 5 }, 'the full check holds');
  tamper(file, stream, 3, 'data', (json) => json.replace('budget', 'budgeT'));
  t.match(await verifyStream(store, stream), { ok: false, revision: 3, reason: 'hash does not match the event\'s content' });
});

t.test('a hash member that is not there exactly once leaves the check to the full path', async (t) => {
  const { store, file, stream } = await writtenConsultation(t);
  const [e] = await store.readStream(stream, { fromRevision: 3, maxCount: 1 });
  const hash = e!.metadata.hash as string;
  t.equal(hashTextOfStored(e!, { data: e!.stored!.data, metadata: '{"prevHash":"x"}' }, hash), null, 'absent');
  const twice = e!.stored!.metadata.replace('{', `{"copy":{"hash":"${hash}"},`);
  t.equal(hashTextOfStored(e!, { data: e!.stored!.data, metadata: twice }, hash), null, 'twice');
  // an intruder who adds a nested copy of the hash member: the event's content changed, and the check says so
  tamper(file, stream, 3, 'metadata', () => twice);
  t.match(await verifyStream(store, stream), { ok: false, revision: 3, reason: 'hash does not match the event\'s content' });
});
