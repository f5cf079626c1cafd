// Erasure without rewriting history, through the API: personal values are stored sealed (no
// address or name in any stored event), POST /privacy/erasures destroys that person's keys in
// every consultation (open and closed), records PersonalDataErased, and afterwards no view, CSV,
// event page or export names them, the organisation and its comments stay, its link and its mail
// are refused, and the chains verify. A signatory no contact stands for is erased with the contact
// of the same name. A restored older key store gets the recorded erasures again at start.
import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import type { Bundle } from '../../src/audit/export.ts';
import { commands } from '../../src/commands/index.ts';
import { checkBundle } from '../../verifier/verify-bundle.mjs';
import { linkAccess } from '../../src/domain/link-access.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { outboxFileName } from '../../src/mail/transport.ts';
import { applyRecordedErasures } from '../../src/privacy/erasure.ts';
import { PersonalDataStore } from '../../src/privacy/personal-store.ts';
import { SqliteKeyStore } from '../../src/privacy/sqlite-key-store.ts';
import { whyNotDue } from '../../src/workers/due.ts';
import { DRAFT_BODY, inviteThroughApi, OPEN_BODY, startApi } from '../helpers/http.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const IOANA = { name: 'Ioana Marinescu', email: 'Ioana.Marinescu@wipn.example' };
const MARIA = { name: 'Maria Pop', email: 'maria@wipn.example' };
const secret = /ioana|marinescu/i;

t.test('erasure through the API: every trace of one person gone, the rest kept, the chains intact', async (t) => {
  const dir = tempDir(t);
  const { store: inner } = tempStore(t);
  const keys = new SqliteKeyStore(path.join(dir, 'keys.sqlite'));
  t.teardown(() => keys.close());
  const store = new PersonalDataStore(inner, keys);
  const api = await startApi(t, { store, dataDir: dir });
  const ok = async (url: string, body?: unknown, status = body === undefined ? 200 : undefined) => {
    const res = await api.call({ url, ...(body !== undefined ? { body } : {}) });
    if (status !== undefined ? res.statusCode !== status : res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const open = async () => {
    const id = (await ok('/consultations', OPEN_BODY)).json().id as string;
    await ok(`/consultations/${id}/drafts`, DRAFT_BODY);
    return id;
  };
  const id = await open();
  const cso = await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contacts: [IOANA, MARIA], language: 'en', endorser: false });
  const ministry = await inviteThroughApi(api, id, { organisation: 'Ministry of Justice', kind: 'ministry', contact: { name: 'Desk officer', email: 'desk@justice.example' }, language: 'en', endorser: true });
  const comment = (await ok(`/consultations/${id}/comments`, { stakeholderId: cso, draftVersion: 1, sectionKey: 's1', text: 'Name a target.', channel: 'api' })).json();
  await ok(`/consultations/${id}/endorsement-requests`, { draftVersion: 1, deadline: '2099-07-30T17:00:00Z' });
  // the ministry's letter is signed by the same person, recorded by the coordinator (no contact named)
  await ok(`/consultations/${id}/endorsements`, { stakeholderId: ministry, draftVersion: 1, decision: 'endorse', signatory: { name: 'ioana marinescu ', title: 'Secretary of State' } });
  // a second consultation, closed, where she is a contact too
  const other = await open();
  await inviteThroughApi(api, other, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: IOANA, language: 'en', endorser: false });
  await ok(`/consultations/${other}/close`, { outcome: 'withdrawn', finalDraftVersion: null });

  const stored = async () => JSON.stringify(await inner.readAll());
  t.notMatch(await stored(), secret, 'no stored event holds her name or address: they are sealed');
  t.match((await ok(`/consultations/${id}/stakeholders`)).body, /Ioana Marinescu/, 'the views show them, opened with the keys');

  // a message the file outbox wrote to her
  const state = await api.handler.load(id);
  const ioana = state.stakeholders.get(cso)!.contacts.find((c) => c.name === IOANA.name)!;
  mkdirSync(path.join(dir, 'outbox'), { recursive: true });
  // (the file transport names it by Message-ID; a record of it on the stream lets the erasure find it)
  const messageId = `<invitation-${id}-${cso}-${ioana.contactId}@test.example>`;
  await api.handler.execute(commands.recordMessageSent, {
    consultationId: id, commandId: 'sent-1', actor: { role: 'system', id: 'mail-worker' },
    input: { kind: 'invitation', stakeholderId: cso, contactId: ioana.contactId, messageId, sentAt: '2027-01-01T00:00:00.000Z', transport: 'file' },
  });
  const outboxFile = path.join(dir, 'outbox', outboxFileName(messageId));
  writeFileSync(outboxFile, `To: ${IOANA.email}\r\n\r\nHello`);

  const res = await api.call({ url: '/privacy/erasures', body: { email: 'ioana.marinescu@WIPN.example', reason: 'request PRIV-2027-3' }, headers: { 'idempotency-key': 'erasure-1' } });
  t.equal(res.statusCode, 200, res.body);
  const answer = res.json() as { erasureId: string; consultations: { consultationId: string; contacts: number; signatures: number; outboxFiles: number }[] };
  t.equal(answer.erasureId, 'erasure-1');
  t.strictSame(answer.consultations.map((c) => c.consultationId).sort(), [id, other].sort(), 'both consultations, the closed one too');
  t.match(answer.consultations.find((c) => c.consultationId === id), { contacts: 1, signatures: 1, outboxFiles: 1 });
  t.notMatch(res.body, secret, 'the answer names nobody');
  t.notOk(existsSync(outboxFile), 'the outbox file written to her is deleted');

  for (const c of [id, other]) {
    for (const url of ['', '/stakeholders', '/comments', '/sign-off', '/drafts', '/events?limit=1000', '/export', '/held-replies']) {
      const got = await api.call({ url: `/consultations/${c}${url}`, as: url === '/export' ? 'auditor' : 'coordinator' });
      t.equal(got.statusCode, 200, `${url}: ${got.body.slice(0, 200)}`);
      t.notMatch(got.body, secret, `GET …${url || '/'} names her no more`);
    }
    t.match(await verifyStream(inner, streamNameFor(c)), { ok: true }, 'the chain verifies');
  }
  for (const url of [`/consultations/${id}/comments`, `/consultations/${id}/stakeholders`, `/consultations/${id}/sign-off`]) {
    const csv = await api.call({ url, headers: { accept: 'text/csv' } });
    t.equal(csv.statusCode, 200);
    t.notMatch(csv.body, secret, `${url} as CSV`);
  }
  const x = (await ok(`/consultations/${id}/stakeholders/${cso}`)).json();
  t.match(x, { organisation: 'Women in Peace Network', contacts: [{ contactId: ioana.contactId, name: '[erased]', email: '[erased]' }, { name: MARIA.name, email: MARIA.email }] }, 'the organisation and her colleague stay; she is [erased]');
  const comments = (await ok(`/consultations/${id}/comments`)).json().comments as { commentId: string }[];
  t.ok(comments.some((c) => c.commentId === comment.commentId), 'its comment stays');
  const signOff = (await ok(`/consultations/${id}/sign-off`)).json();
  t.match(signOff.endorsers, [{ stakeholderId: ministry, status: 'endorsed', history: [{ signatory: { name: '[erased]', title: 'Secretary of State' } }] }], 'the endorsement stays; its signatory\'s name is erased');

  // her link and her mail: refused
  const after = await api.handler.load(id);
  t.match(linkAccess(after, { consultationId: id, stakeholderId: cso, contactId: ioana.contactId }, new Date().toISOString()), { ok: false, reason: 'revoked' });
  t.equal(whyNotDue(after, { kind: 'invitation', consultationId: id, stakeholderId: cso, contactId: ioana.contactId, revision: 2 }, new Date().toISOString(), []), 'the contact\'s personal data was erased');
  const resendHer = await api.call({ url: `/consultations/${id}/stakeholders/${cso}/resend-invitation`, body: { contactId: ioana.contactId } });
  t.equal(resendHer.statusCode, 409, 'a resend to her is refused, not accepted and dropped');
  t.match(resendHer.json(), { code: 'CONTACT_ERASED' });
  t.notMatch(resendHer.body, secret);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${cso}/resend-invitation`, body: {} })).statusCode < 300, true, 'a resend to the organisation still goes to her colleague');

  // the same request again: nothing left to erase, nothing recorded twice
  const again = await api.call({ url: '/privacy/erasures', body: { email: IOANA.email, reason: 'request PRIV-2027-3' }, headers: { 'idempotency-key': 'erasure-1' } });
  t.strictSame(again.json().consultations, []);
  t.equal((await inner.readStream(streamNameFor(id))).filter((e) => e.type === 'PersonalDataErased').length, 1);
  t.equal((await api.call({ url: '/privacy/erasures', body: { email: IOANA.email, reason: 'x' }, as: 'auditor' })).statusCode, 403, 'auditors may not erase');
  t.equal((await api.call({ url: '/privacy/erasures', body: { email: 'not an address', reason: 'x' } })).statusCode, 400);
});

t.test('a restored older key store: the recorded erasures are applied again at start', async (t) => {
  const dir = tempDir(t);
  const { store: inner } = tempStore(t);
  const file = path.join(dir, 'keys.sqlite');
  const keys = new SqliteKeyStore(file);
  const api = await startApi(t, { store: new PersonalDataStore(inner, keys) });
  const id = (await api.call({ url: '/consultations', body: OPEN_BODY })).json().id as string;
  await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: IOANA, language: 'en', endorser: false });
  await keys.close(); // the backup: a copy of the file taken while nothing writes
  copyFileSync(file, path.join(dir, 'backup.sqlite'));
  const reopened = new SqliteKeyStore(file);
  const api2 = await startApi(t, { store: new PersonalDataStore(inner, reopened) });
  t.equal((await api2.call({ url: '/privacy/erasures', body: { email: IOANA.email, reason: 'request' } })).statusCode, 200);
  await reopened.close();
  copyFileSync(path.join(dir, 'backup.sqlite'), file); // the restore brings her key back
  const restored = new SqliteKeyStore(file);
  t.teardown(() => restored.close());
  const withBackup = new PersonalDataStore(inner, restored);
  t.match(JSON.stringify(await withBackup.readStream(streamNameFor(id)).then((es) => es.map((e) => e.data))), /sealed/);
  t.match(await applyRecordedErasures(withBackup, restored), { erasures: 1, keys: 1 }, 'the erasure the events record, applied again');
  t.match(await applyRecordedErasures(withBackup, restored), { erasures: 0, keys: 0 }, 'once: it resumes from where it got');
  const api3 = await startApi(t, { store: withBackup });
  const body = (await api3.call({ url: `/consultations/${id}/stakeholders` })).body;
  t.notMatch(body, secret, 'a fresh fold names her no more');
  t.match(body, /\[erased\]/);
});

t.test('?include=personal: the decrypted values in a marked section outside the chain, for coordinators; a delivery failure keeps no address', async (t) => {
  const api = await startApi(t);
  const id = (await api.call({ url: '/consultations', body: OPEN_BODY })).json().id as string;
  const sid = await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: IOANA, language: 'en', endorser: false });
  const plain = await api.call({ url: `/consultations/${id}/export`, as: 'auditor' });
  t.notMatch(plain.body, secret, 'a bundle without it names nobody');
  t.equal((await api.call({ url: `/consultations/${id}/export?include=personal`, as: 'auditor' })).statusCode, 403, 'auditors may not ask for it');
  const res = await api.call({ url: `/consultations/${id}/export?include=personal` });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const bundle = JSON.parse(res.body) as Bundle;
  t.match(bundle.personal, { note: /NOT covered by the hash chain/, values: [{ path: 'contacts.0.email', value: IOANA.email }, { path: 'contacts.0.name', value: IOANA.name }] }); // in the stored (canonical) key order
  t.strictSame(checkBundle(bundle, bundle.publicKey), [], 'the bundle still verifies: the section is outside what is checked');

  const state = await api.handler.load(id);
  const contactId = state.stakeholders.get(sid)!.contacts[0]!.contactId;
  await api.handler.execute(commands.recordDeliveryFailure, {
    consultationId: id, commandId: 'failed-1', actor: { role: 'system', id: 'mail-worker' },
    input: { stakeholderId: sid, contactId, messageId: '<m1@test.example>', messageKind: 'invitation', error: `550 5.1.1 <${IOANA.email.toUpperCase()}>: Recipient address rejected`, permanent: true, failedAt: '2027-01-01T00:00:00.000Z' },
  });
  const failed = (await api.store.readStream(streamNameFor(id))).find((e) => e.type === 'DeliveryFailed')!;
  t.equal(failed.data['error'], '550 5.1.1 <[address]>: Recipient address rejected', 'the SMTP answer is recorded without the address it quoted');

  await api.call({ url: '/privacy/erasures', body: { email: IOANA.email, reason: 'request' } });
  const after = JSON.parse((await api.call({ url: `/consultations/${id}/export?include=personal` })).body) as Bundle;
  t.notMatch(JSON.stringify(after), secret, 'after the erasure, even the personal section names nobody');
  t.match(after.personal?.values, [{ value: '[erased]' }, { value: '[erased]' }]);
});
