// `consult heads` and `consult verify --expect` over a real database file: the heads kept by an
// auditor catch what the chain alone cannot (a cut-off tail, a history rewritten with a valid chain
// of its own), and a head signed with another key.
import t from 'tap';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SignedHead, signHead, verifyHeadSignature } from '../../src/audit/heads.ts';
import { resolveAuditSigningKey } from '../../src/audit/signing-key.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { consult } from '../helpers/consult.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';
import { tempDir, type Teardown } from '../helpers/temp-store.ts';

t.setTimeout(60_000);

async function seeded(t: Teardown) {
  const dataDir = tempDir(t);
  const file = path.join(dataDir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  const handler = new CommandHandler({ store });
  const a = await openWithDraft(handler);
  const b = await openWithDraft(handler);
  const sid = await invite(handler, b, 'Peace Institute', true);
  await comment(handler, b, sid, 'A first comment');
  await comment(handler, b, sid, 'A second comment');
  await store.close();
  const key = resolveAuditSigningKey({ NODE_ENV: 'development', dataDir }); // what the server makes at its first start
  return { dataDir, file, a, b, sid, key, env: { DATA_DIR: dataDir } };
}

t.test('heads prints a signed head per consultation; verify --expect passes on the same history', async (t) => {
  const { dataDir, a, b, key, env } = await seeded(t);
  const run = await consult(['heads'], { env });
  t.equal(run.status, 0, run.stderr);
  const heads = SignedHead.array().parse(JSON.parse(run.stdout));
  t.strictSame(heads.map((h) => [h.consultationId, h.revision]).sort(), [[a, 1], [b, 4]].sort());
  for (const h of heads) t.ok(verifyHeadSignature(key.publicKey, h), 'signed with the server\'s key');
  const one = await consult(['heads', '--consultation', b], { env });
  t.strictSame(SignedHead.array().parse(JSON.parse(one.stdout)).map((h) => h.consultationId), [b]);

  const file = path.join(dataDir, 'heads.json');
  writeFileSync(file, run.stdout);
  const ok = await consult(['verify', '--expect', file], { env });
  t.equal(ok.status, 0, ok.stdout + ok.stderr);
  t.match(ok.stdout, new RegExp(`ok +consultation-${b} reaches its head at revision 4`));
  t.match(ok.stdout, /2 heads expected, 0 not reached/);
});

t.test('a cut-off tail passes the chain check but not the heads: verify --expect exits 1 naming it', async (t) => {
  const { dataDir, file, a, b, env } = await seeded(t);
  const headsFile = path.join(dataDir, 'heads.json');
  writeFileSync(headsFile, (await consult(['heads'], { env })).stdout);
  const db = new Database(file);
  db.prepare('DELETE FROM events WHERE stream = ? AND revision > 2').run(`consultation-${b}`);
  db.close();
  const chainOnly = await consult(['verify'], { env });
  t.equal(chainOnly.status, 0, 'the chain that is left holds: this is what the heads are for');
  const run = await consult(['verify', '--expect', headsFile], { env });
  t.equal(run.status, 1);
  t.match(run.stdout, new RegExp(`CHANGED consultation-${b}: history ends at revision 2: the recorded head at revision 4 is no longer reached \\(a cut-off tail\\)`));
  t.match(run.stdout, new RegExp(`ok +consultation-${a} reaches its head`));
  t.match(run.stdout, /2 heads expected, 1 not reached/);
});

t.test('a history rewritten after the cut with a valid chain of its own is reported as rewritten', async (t) => {
  const { dataDir, file, b, sid, env } = await seeded(t);
  const headsFile = path.join(dataDir, 'heads.json');
  writeFileSync(headsFile, (await consult(['heads', '--consultation', b], { env })).stdout);
  const db = new Database(file);
  db.prepare('DELETE FROM events WHERE stream = ? AND revision > 2').run(`consultation-${b}`);
  db.close();
  const store = new SqliteEventStore({ file });
  const handler = new CommandHandler({ store });
  await comment(handler, b, sid, 'A different first comment');
  await comment(handler, b, sid, 'A different second comment');
  await store.close();
  t.equal((await consult(['verify'], { env })).status, 0, 'the new chain holds by itself');
  const run = await consult(['verify', '--expect', headsFile], { env });
  t.equal(run.status, 1);
  t.match(run.stdout, new RegExp(`CHANGED consultation-${b}: the event at revision 4 is not the one the head recorded .*history was rewritten`));
});

t.test('a head signed with another key is reported against the server\'s key and against the auditor\'s --public-key', async (t) => {
  const { dataDir, b, key, env } = await seeded(t);
  const real = SignedHead.array().parse(JSON.parse((await consult(['heads', '--consultation', b], { env })).stdout))[0]!;
  const forged = signHead(generateKeyPairSync('ed25519').privateKey, real, new Date());
  const headsFile = path.join(dataDir, 'forged.json');
  writeFileSync(headsFile, JSON.stringify(forged)); // one head, as GET /consultations/:id/head answers
  const withServerKey = await consult(['verify', '--expect', headsFile], { env });
  t.equal(withServerKey.status, 1);
  t.match(withServerKey.stdout, /CHANGED .*the head's signature does not verify with the trusted key/);
  const keyFile = path.join(dataDir, 'trusted.pem');
  writeFileSync(keyFile, key.publicKeyPem);
  const withAuditorsKey = await consult(['verify', '--expect', headsFile, '--public-key', keyFile], { env });
  t.equal(withAuditorsKey.status, 1);
  const realFile = path.join(dataDir, 'real.json');
  writeFileSync(realFile, JSON.stringify([real]));
  t.equal((await consult(['verify', '--expect', realFile, '--public-key', keyFile], { env })).status, 0);
  t.ok(createPublicKey(key.publicKeyPem));
});

t.test('usage errors: a file that is not heads, --public-key without --expect, a key file that is not a key (exit 2)', async (t) => {
  const { dataDir, env } = await seeded(t);
  const junk = path.join(dataDir, 'junk.json');
  writeFileSync(junk, '{"hello": 1}');
  const notHeads = await consult(['verify', '--expect', junk], { env });
  t.equal(notHeads.status, 2);
  t.match(notHeads.stderr, /is not a list of signed heads/);
  t.equal((await consult(['verify', '--public-key', junk], { env })).status, 2);
  const heads = path.join(dataDir, 'heads.json');
  writeFileSync(heads, '[]');
  const badKey = await consult(['verify', '--expect', heads, '--public-key', junk], { env });
  t.equal(badKey.status, 2);
  t.match(badKey.stderr, /is not a PEM public key/);
  t.equal((await consult(['heads', '--consultation', 'nope'], { env })).status, 2);
});

t.test('heads refuses to sign a broken chain and names it; without the server key it makes none', async (t) => {
  const { dataDir, file, b } = await seeded(t);
  const db = new Database(file);
  db.prepare("UPDATE events SET data = replace(data, 'first', 'frist') WHERE stream = ? AND revision = 3").run(`consultation-${b}`);
  db.close();
  const run = await consult(['heads'], { env: { DATA_DIR: dataDir } });
  t.equal(run.status, 1);
  t.match(run.stderr, new RegExp(`BROKEN  consultation-${b} at revision 3: .*; no head signed`));
  t.equal(SignedHead.array().parse(JSON.parse(run.stdout)).length, 1, 'the intact one is signed');
  const elsewhere = tempDir(t);
  const none = await consult(['heads'], { env: { DATA_DIR: elsewhere } });
  t.equal(none.status, 1);
  t.match(none.stderr, /no audit signing key at/);
});
