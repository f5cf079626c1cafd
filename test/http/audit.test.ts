// GET /consultations/:id/head and GET /audit/public-key: a head an auditor can check with the key
// served openly; refused for a consultation that does not exist or whose history is damaged.
import t from 'tap';
import { createPublicKey } from 'node:crypto';
import { SignedHead, verifyHeadSignature } from '../../src/audit/heads.ts';
import { startApi, openConsultation, eventCount } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { tamperSqlite } from '../helpers/tamper.ts';

t.test('the head names the last event, signed; the public key verifies it; auditors may read it', async (t) => {
  let now = new Date('2027-01-10T09:00:00.000Z');
  const api = await startApi(t, { clock: () => now });
  const id = await openConsultation(api);
  now = new Date('2027-01-11T09:00:00.000Z');
  const res = await api.call({ url: `/consultations/${id}/head`, as: 'auditor' });
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.headers['cache-control'], 'no-store');
  const head = SignedHead.parse(res.json());
  // what is signed and the signature, with the local-time twins every view gives (not signed; verify --expect ignores them)
  t.strictSame(Object.keys(res.json()).sort(), ['consultationId', 'hash', 'recordedAt', 'recordedAtLocal', 'revision', 'signature', 'signedAt', 'signedAtLocal', 'timeZone']);
  const last = (await api.call({ url: `/consultations/${id}/events` })).json().events.at(-1);
  t.strictSame([head.consultationId, head.revision, head.hash, head.recordedAt], [id, (await eventCount(api, id)) - 1, last.hash, last.metadata.recordedAt]);
  t.equal(head.signedAt, '2027-01-11T09:00:00.000Z');

  const key = await api.call({ url: '/audit/public-key', as: null });
  t.equal(key.statusCode, 200, 'open: it is public');
  t.match(key.headers['content-type'], /^application\/x-pem-file/);
  t.match(key.body, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  t.ok(verifyHeadSignature(createPublicKey(key.body), head));
  t.notOk(verifyHeadSignature(createPublicKey(key.body), { ...head, revision: head.revision + 1 }));
});

t.test('no token: 401; an unknown consultation: 404; a damaged one is never signed', async (t) => {
  const { store, file } = tempStore(t);
  const api = await startApi(t, { store });
  const id = await openConsultation(api);
  t.equal((await api.call({ url: `/consultations/${id}/head`, as: null })).statusCode, 401);
  const unknown = await api.call({ url: '/consultations/0f0e0d0c-0b0a-4000-8000-000000000009/head' });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'CONSULTATION_NOT_FOUND');
  tamperSqlite(file, `consultation-${id}`, 0, 'a changed actor');
  const damaged = await api.call({ url: `/consultations/${id}/head` });
  t.not(damaged.statusCode, 200);
  t.match(damaged.json().code, /DAMAGED/);
});
