// Stakeholder routes through app.inject(): invite (one, or many from a CSV), list, respond,
// change contacts, remove, reinstate, complete a review, record messages and delivery failures.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { eventCount, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

type Api = Awaited<ReturnType<typeof startApi>>;

const DEFENCE = {
  organisation: 'Ministry of Defence',
  kind: 'ministry',
  contact: { name: 'Ana Popescu', email: 'ana.popescu@mapn.example' },
  language: 'ro',
  endorser: true,
};
const WOMEN_NGO = {
  organisation: 'Women for Peace Association',
  kind: 'civil-society',
  contacts: [
    { name: 'Ioana Marin', email: 'ioana@wfp.example' },
    { name: 'Elena Dobre', email: 'elena@wfp.example' },
  ],
  language: 'en',
};

async function eventTypes(api: Api, id: string): Promise<string[]> {
  return ((await api.call({ url: `/consultations/${id}/events?limit=1000` })).json() as { events: { type: string }[] }).events.map((e) => e.type);
}

interface Row {
  id: string;
  organisation: string;
  contacts: { contactId: string; name: string; email: string; messages: Record<string, unknown>[]; messageCounts: { sent: number; failed: number } }[];
  otherMessages: { contactId: string | null; messages: Record<string, unknown>[]; messageCounts: { sent: number; failed: number } }[];
  endorser: boolean;
  kind: string;
  language: string;
  invitationStatus: string;
  response: string;
  declineReason: string | null;
  removal: { reason: string } | null;
  reviewedVersions: number[];
  awaiting: string[];
  invitationSentAt: string | null;
  lastDeliveryFailure: { messageId: string; permanent: boolean } | null;
}

async function list(api: Api, id: string, query = ''): Promise<Row[]> {
  const res = await api.call({ url: `/consultations/${id}/stakeholders${query}` });
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.body}`);
  return (res.json() as { stakeholders: Row[] }).stakeholders;
}

const invite = (api: Api, id: string, body: unknown = DEFENCE) => inviteThroughApi(api, id, body);

/** A row's contacts as names and addresses (what a request gives), without their ids and messages. */
const people = (contacts: Row['contacts']) => contacts.map(({ name, email }) => ({ name, email }));

function importCsv(api: Api, id: string, csv: string | Buffer, headers: Record<string, string> = {}) {
  return api.call({ url: `/consultations/${id}/stakeholders/import`, payload: csv, headers: { 'content-type': 'text/csv; charset=utf-8', ...headers } });
}

function fieldsOf(res: { json(): unknown }): string[] {
  return (res.json() as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
}

t.test('POST /stakeholders invites: 201 with stakeholderId, revision and Location; the list and the Location show it', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const res = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE });
  t.equal(res.statusCode, 201);
  const { stakeholderId, revision } = res.json() as { stakeholderId: string; revision: number };
  t.equal(revision, 2);
  t.equal(res.headers.location, `/consultations/${id}/stakeholders/${stakeholderId}`);
  t.equal(res.headers.etag, '"2"');

  const one = await api.call({ url: res.headers.location as string });
  t.equal(one.statusCode, 200);
  t.equal(one.headers.etag, 'W/"2"');
  const row = one.json() as Row;
  t.strictSame(
    { id: row.id, organisation: row.organisation, kind: row.kind, contacts: people(row.contacts), language: row.language, endorser: row.endorser, invitationStatus: row.invitationStatus, response: row.response },
    { id: stakeholderId, organisation: 'Ministry of Defence', kind: 'ministry', contacts: [DEFENCE.contact], language: 'ro', endorser: true, invitationStatus: 'invited', response: 'pending' },
  );
  t.strictSame(row.awaiting, ['response', 'comments']);

  const ngo = await api.call({ url: `/consultations/${id}/stakeholders`, body: WOMEN_NGO });
  t.equal(ngo.statusCode, 201, 'several contacts');
  const rows = await list(api, id);
  t.strictSame(rows.map((x) => x.organisation), ['Ministry of Defence', 'Women for Peace Association'], 'in invitation order');
  t.strictSame(people(rows[1]!.contacts), WOMEN_NGO.contacts, 'the first of contacts is the primary');
  t.equal(rows[1]!.endorser, false, 'endorser defaults to false');
  const listed = await api.call({ url: `/consultations/${id}/stakeholders` });
  t.equal(listed.headers.etag, 'W/"3"');
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders`, headers: { 'if-none-match': 'W/"3"' } })).statusCode, 304);
  t.notOk('commentIndex' in (listed.json() as object), 'the internal comment index is not served');
  t.strictSame(await eventTypes(api, id), ['ConsultationOpened', 'DraftPublished', 'StakeholderInvited', 'StakeholderInvited']);
});

t.test('inviting a contact address the organisation has already returns the existing stakeholder with 200 and appends nothing', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const before = await eventCount(api, id);
  const again = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...DEFENCE, contact: { name: 'A. Popescu', email: 'ANA.Popescu@MAPN.example' } } });
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), { stakeholderId: sid, revision: before - 1 });
  t.equal(again.headers.location, undefined);
  const viaContacts = await api.call({
    url: `/consultations/${id}/stakeholders`,
    body: { ...DEFENCE, contact: undefined, contacts: [{ name: 'Someone new', email: 'new@mapn.example' }, DEFENCE.contact] },
  });
  t.equal(viaContacts.statusCode, 200, 'one known address among several is enough');
  t.equal((viaContacts.json() as { stakeholderId: string }).stakeholderId, sid);
  t.equal(await eventCount(api, id), before);
  t.equal((await list(api, id)).length, 1);
});

t.test('invite: bad bodies are 400 naming the field; nothing is appended', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const before = await eventCount(api, id);
  const { contact: _, ...noContact } = DEFENCE;
  const neither = await api.call({ url: `/consultations/${id}/stakeholders`, body: noContact });
  t.equal(neither.statusCode, 400);
  t.equal(neither.json().code, 'INVALID_INPUT');
  t.strictSame(fieldsOf(neither), ['body.contact']);
  const both = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...DEFENCE, contacts: WOMEN_NGO.contacts } });
  t.equal(both.statusCode, 400);
  t.strictSame(fieldsOf(both), ['body.contact']);
  t.match(both.json().errors[0].message, /exactly one of contact or contacts/);
  const bad = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...DEFENCE, kind: 'army', contact: { name: 'Ana', email: 'not-an-address' } } });
  t.equal(bad.statusCode, 400);
  t.strictSame(fieldsOf(bad), ['body.contact.email', 'body.kind']);
  const dup = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...WOMEN_NGO, contacts: [WOMEN_NGO.contacts[0], { name: 'Twin', email: 'IOANA@wfp.example' }] } });
  t.equal(dup.statusCode, 400);
  t.strictSame(fieldsOf(dup), ['body.contacts']);
  t.equal(await eventCount(api, id), before);
});

t.test('access: 401 without a token, 403 for an auditor writing; auditors read the list', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const before = await eventCount(api, id);
  const writes = [
    { url: `/consultations/${id}/stakeholders`, body: WOMEN_NGO },
    { url: `/consultations/${id}/stakeholders/${sid}/response`, body: { response: 'accept' } },
    { url: `/consultations/${id}/stakeholders/${sid}/contacts`, method: 'PUT' as const, body: { contacts: WOMEN_NGO.contacts } },
    { url: `/consultations/${id}/stakeholders/${sid}`, method: 'PATCH' as const, body: { endorser: false } },
    { url: `/consultations/${id}/stakeholders/${sid}`, method: 'DELETE' as const },
    { url: `/consultations/${id}/stakeholders/${sid}/reinstate`, body: {} },
    { url: `/consultations/${id}/stakeholders/${sid}/review`, body: { draftVersion: 1 } },
    { url: `/consultations/${id}/messages`, body: { kind: 'invitation', stakeholderId: sid, messageId: 'letter-1', sentAt: '2026-01-05T10:00:00Z' } },
    { url: `/consultations/${id}/delivery-failures`, body: { stakeholderId: sid, messageId: 'm1', messageKind: 'invitation', error: 'bounced', failedAt: '2026-01-05T10:00:00Z' } },
  ];
  for (const w of writes) {
    const anonymous = await api.call({ ...w, as: null });
    t.equal(anonymous.statusCode, 401, `${w.method ?? 'POST'} ${w.url} without a token`);
    t.equal(anonymous.json().code, 'UNAUTHENTICATED');
    const auditor = await api.call({ ...w, as: 'auditor' });
    t.equal(auditor.statusCode, 403, `${w.method ?? 'POST'} ${w.url} as an auditor`);
    t.equal(auditor.json().code, 'FORBIDDEN');
  }
  t.equal(await eventCount(api, id), before, 'nothing appended by a refused request');
  const csv = await importCsv(api, id, 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\n');
  t.equal(csv.statusCode, 200, 'the coordinator may import');
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/import`, payload: 'organisation', headers: { 'content-type': 'text/csv' }, as: 'auditor' })).statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/import`, payload: 'organisation', headers: { 'content-type': 'text/csv' }, as: null })).statusCode, 401);
  t.equal(await eventCount(api, id), before + 1, 'only the coordinator\'s import appended');
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders`, as: null })).statusCode, 401);
  const read = await api.call({ url: `/consultations/${id}/stakeholders`, as: 'auditor' });
  t.equal(read.statusCode, 200);
  t.equal((read.json() as { stakeholders: unknown[] }).stakeholders.length, 2);
});

t.test('404: unknown consultation for every route, unknown stakeholder for every route on one', async (t) => {
  const api = await startApi(t);
  const unknown = randomUUID();
  const inviteUnknown = await api.call({ url: `/consultations/${unknown}/stakeholders`, body: DEFENCE });
  t.equal(inviteUnknown.statusCode, 404);
  t.equal(inviteUnknown.json().code, 'CONSULTATION_NOT_FOUND');
  t.equal((await api.call({ url: `/consultations/${unknown}/stakeholders` })).json().code, 'CONSULTATION_NOT_FOUND');
  t.equal((await api.call({ url: `/consultations/${unknown}/stakeholders` })).statusCode, 404);
  const importUnknown = await importCsv(api, unknown, 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\n');
  t.equal(importUnknown.statusCode, 404);
  t.equal(importUnknown.json().code, 'CONSULTATION_NOT_FOUND');
  t.equal((await api.call({ url: `/consultations/${unknown}/events` })).statusCode, 404, 'nothing was appended to the unknown consultation');

  const id = await openConsultation(api);
  await invite(api, id);
  const before = await eventCount(api, id);
  const sid = randomUUID(); // well-formed, naming no stakeholder (a malformed one is 400: test/http/hostile-input.test.ts)
  const calls = [
    { url: `/consultations/${id}/stakeholders/${sid}` },
    { url: `/consultations/${id}/stakeholders/${sid}/response`, body: { response: 'accept' } },
    { url: `/consultations/${id}/stakeholders/${sid}/contacts`, method: 'PUT' as const, body: { contacts: WOMEN_NGO.contacts } },
    { url: `/consultations/${id}/stakeholders/${sid}`, method: 'PATCH' as const, body: { kind: 'other' } },
    { url: `/consultations/${id}/stakeholders/${sid}`, method: 'DELETE' as const },
    { url: `/consultations/${id}/stakeholders/${sid}/reinstate`, body: {} },
    { url: `/consultations/${id}/stakeholders/${sid}/review`, body: { draftVersion: 1 } },
    { url: `/consultations/${id}/messages`, body: { kind: 'invitation', stakeholderId: sid, messageId: 'letter-1', sentAt: '2026-01-05T10:00:00Z' } },
    { url: `/consultations/${id}/delivery-failures`, body: { stakeholderId: sid, messageId: 'm1', messageKind: 'invitation', error: 'bounced', failedAt: '2026-01-05T10:00:00Z' } },
  ];
  for (const c of calls) {
    const res = await api.call(c);
    t.equal(res.statusCode, 404, `${c.method ?? (c.body ? 'POST' : 'GET')} ${c.url}`);
    t.equal(res.json().code, 'STAKEHOLDER_NOT_FOUND');
  }
  t.equal(await eventCount(api, id), before);
});

t.test('409: re-inviting a removed stakeholder is refused with the domain code; reinstating brings it back', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const removed = await api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'DELETE' });
  t.equal(removed.statusCode, 200);
  const before = await eventCount(api, id);
  const again = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE });
  t.equal(again.statusCode, 409);
  t.equal(again.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(again.json().code, 'STAKEHOLDER_REMOVED');
  t.strictSame(again.json().details, { stakeholderId: sid });
  const otherContact = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...DEFENCE, contact: { name: 'New', email: 'new@mapn.example' } } });
  t.equal(otherContact.statusCode, 409, 'the same organisation under a new address');
  t.equal(otherContact.json().code, 'STAKEHOLDER_REMOVED');
  t.equal(await eventCount(api, id), before, 'nothing appended');
  const reinstated = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/reinstate`, body: { reason: 'the ministry asked to take part after all' } });
  t.equal(reinstated.statusCode, 200);
  t.strictSame(reinstated.json(), { revision: before });
  t.equal((await list(api, id))[0]!.removal, null);
  const back = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE });
  t.equal(back.statusCode, 200, 'once reinstated, inviting the same address returns it');
  t.equal(back.json().stakeholderId, sid);
});

t.test('412: a stale If-Match is refused and appends nothing; the current one passes', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const stale = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE, headers: { 'if-match': '"0"' } });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().code, 'REVISION_MISMATCH');
  const staleImport = await importCsv(api, id, 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\n', { 'if-match': '"0"' });
  t.equal(staleImport.statusCode, 412);
  t.equal(staleImport.json().code, 'REVISION_MISMATCH');
  t.equal(await eventCount(api, id), 2);
  const current = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE, headers: { 'if-match': '"1"' } });
  t.equal(current.statusCode, 201);
  const sid = current.json().stakeholderId as string;
  const staleRemove = await api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'DELETE', headers: { 'if-match': '"1"' } });
  t.equal(staleRemove.statusCode, 412);
  const importAt = await importCsv(api, id, 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\nY,ministry,B,b@y.example,en\n', { 'if-match': '"2"' });
  t.equal(importAt.statusCode, 200, 'an import is checked once, before its first invitation');
  t.equal(importAt.json().invited, 2);
  t.equal(importAt.headers.etag, '"4"');
});

t.test('Idempotency-Key: a retried invite returns the first result and appends nothing; another body under the key is 422', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const headers = { 'idempotency-key': 'invite-defence-2027' };
  const first = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE, headers });
  const count = await eventCount(api, id);
  const again = await api.call({ url: `/consultations/${id}/stakeholders`, body: DEFENCE, headers });
  t.equal(first.statusCode, 201);
  t.equal(again.statusCode, 201);
  t.strictSame(again.json(), first.json());
  t.equal(again.headers.location, first.headers.location);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(await eventCount(api, id), count, 'nothing appended the second time');
  const other = await api.call({ url: `/consultations/${id}/stakeholders`, body: WOMEN_NGO, headers });
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'COMMAND_ID_REUSED');
  const removeKey = { 'idempotency-key': 'remove-defence' };
  const sid = first.json().stakeholderId as string;
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${sid}?reason=left`, method: 'DELETE', headers: removeKey })).statusCode, 200);
  const otherRemoval = await api.call({ url: `/consultations/${id}/stakeholders/${sid}?reason=another`, method: 'DELETE', headers: removeKey });
  t.equal(otherRemoval.statusCode, 422);
  t.equal(await eventCount(api, id), count + 1);
});

// A spreadsheet export: BOM, CRLF, quoted fields with commas, quotes and a line break, one
// organisation on two rows that are not next to each other (in another case and spacing), an empty
// line, a bad address, columns in another order and case, and an extra column (holding a line break).
const CSV = '\uFEFF' + [
  'Email,Organisation,KIND,Name,Language,Endorser,Notes',
  'ana.popescu@mapn.example,Ministry of Defence,ministry,Ana Popescu,ro,yes,',
  'ioana@wfp.example,"Women for Peace, Romania",civil-society,"Marin, Ioana",en,,"said ""yes"" by phone"',
  '',
  'not-an-address,Ministry of Justice,ministry,Mihai Ionescu,ro,true,',
  'elena@wfp.example,"  women for peace,  romania ",,"Elena ""Eli"" Dobre",,no,"second\ncontact"',
  'dan@police.example,General Inspectorate of Police,ministry,Dan Stan,RO,1,',
].join('\r\n') + '\r\n';

t.test('import: a spreadsheet CSV is read; rows of one organisation merge; a bad row is reported while the others are invited', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const res = await importCsv(api, id, CSV);
  t.equal(res.statusCode, 200);
  const report = res.json() as { rows: { row: number; organisation: string; status: string; stakeholderId?: string; errors?: unknown[] }[]; invited: number; existing: number; errors: number };
  const rows = await list(api, id);
  t.strictSame(rows.map((x) => x.organisation), ['Ministry of Defence', 'Women for Peace, Romania', 'General Inspectorate of Police']);
  const [defence, wfp, police] = rows;
  t.strictSame(report, {
    rows: [
      { row: 2, organisation: 'Ministry of Defence', status: 'invited', stakeholderId: defence!.id },
      { row: 3, organisation: 'Women for Peace, Romania', status: 'invited', stakeholderId: wfp!.id },
      { row: 5, organisation: 'Ministry of Justice', status: 'error', errors: [{ field: 'email', message: 'Invalid email address' }] },
      { row: 6, organisation: 'women for peace,  romania', status: 'invited', stakeholderId: wfp!.id },
      { row: 7, organisation: 'General Inspectorate of Police', status: 'invited', stakeholderId: police!.id },
    ],
    invited: 4,
    existing: 0,
    errors: 1,
  });
  t.strictSame(people(wfp!.contacts), [{ name: 'Marin, Ioana', email: 'ioana@wfp.example' }, { name: 'Elena "Eli" Dobre', email: 'elena@wfp.example' }], 'contacts in row order, the first the primary');
  t.strictSame([defence!.endorser, wfp!.endorser, police!.endorser], [true, false, true]);
  t.strictSame([defence!.kind, wfp!.kind, police!.language], ['ministry', 'civil-society', 'ro']);
  t.strictSame(await eventTypes(api, id), ['ConsultationOpened', 'DraftPublished', 'StakeholderInvited', 'StakeholderInvited', 'StakeholderInvited']);
});

t.test('import with an Idempotency-Key: a retry returns the same report and appends nothing', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const headers = { 'idempotency-key': 'import-2027-01' };
  const first = await importCsv(api, id, CSV, headers);
  t.equal(first.statusCode, 200);
  const count = await eventCount(api, id);
  t.equal(count, 5);
  const again = await importCsv(api, id, CSV, headers);
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), first.json());
  t.equal(await eventCount(api, id), count, 'nothing appended the second time');
  const events = (await api.call({ url: `/consultations/${id}/events` })).json() as { events: { metadata: { commandId: string } }[] };
  t.strictSame(events.events.slice(2).map((e) => e.metadata.commandId), [
    'import-2027-01/ministry of defence', 'import-2027-01/women for peace, romania', 'import-2027-01/general inspectorate of police',
  ]);
  const withoutKey = await importCsv(api, id, CSV);
  t.strictSame((withoutKey.json() as { rows: { status: string }[] }).rows.map((r) => r.status), ['existing', 'existing', 'error', 'existing', 'existing'],
    'without a key, the same file finds every organisation invited already');
  t.equal(await eventCount(api, id), count);
});

t.test('import: domain refusals and invalid rows are reported per row; an organisation is invited whole or not at all', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'DELETE' })).statusCode, 200);
  const ngo = await invite(api, id, WOMEN_NGO);
  const before = await eventCount(api, id);
  const csv = [
    'organisation;kind;name;email;language;endorser',
    'Ministry of Defence;ministry;Ana Popescu;ana.popescu@mapn.example;ro;true',
    'Women for Peace Association;civil-society;Ioana Marin;IOANA@wfp.example;en;',
    'Academy of Sciences;academia;Radu Pop;radu@acad.example;ro;maybe',
    'Academy of Sciences;;Maria Pop;maria@acad.example;;',
    'University of Bucharest;academia;Vlad Ene;vlad@unibuc.example;ro;no',
    'University of Bucharest;ministry;Vlad Ene;VLAD@unibuc.example;en;',
    'Other Org;other;Someone;ana.popescu@mapn.example;en;',
    ';other;Nobody;nobody@x.example;en;',
    'Press Office;other;;press@x.example;xx_1;',
  ].join('\n');
  const res = await importCsv(api, id, csv);
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), {
    rows: [
      { row: 2, organisation: 'Ministry of Defence', status: 'error', errors: [{ field: 'organisation', message: 'Ministry of Defence was removed; reinstate it', code: 'STAKEHOLDER_REMOVED' }] },
      { row: 3, organisation: 'Women for Peace Association', status: 'existing', stakeholderId: ngo },
      { row: 4, organisation: 'Academy of Sciences', status: 'error', errors: [{ field: 'endorser', message: 'must be true or false (yes/no, 1/0)' }] },
      { row: 5, organisation: 'Academy of Sciences', status: 'error', errors: [{ field: 'organisation', message: 'not invited: row 4 of the same organisation has errors' }] },
      { row: 6, organisation: 'University of Bucharest', status: 'error', errors: [{ field: 'organisation', message: 'not invited: row 7 of the same organisation has errors' }] },
      {
        row: 7, organisation: 'University of Bucharest', status: 'error', errors: [
          { field: 'email', message: 'the same e-mail address is in row 6' },
          { field: 'kind', message: 'differs from row 6 of the same organisation ("academia")' },
          { field: 'language', message: 'differs from row 6 of the same organisation ("ro")' },
        ],
      },
      { row: 8, organisation: 'Other Org', status: 'error', errors: [{ field: 'email', message: 'a contact address belongs to Ministry of Defence', code: 'CONTACT_BELONGS_TO_OTHER_STAKEHOLDER' }] },
      { row: 9, organisation: '', status: 'error', errors: [{ field: 'organisation', message: 'is empty' }] },
      { row: 10, organisation: 'Press Office', status: 'error', errors: [{ field: 'name', message: 'is empty' }, { field: 'language', message: 'a BCP-47 language tag such as "en" or "ro"' }] },
    ],
    invited: 0,
    existing: 1,
    errors: 8,
  });
  t.equal(await eventCount(api, id), before, 'nothing appended');
});

t.test('import: a missing column is 400 naming it, unreadable CSV 400, too many rows 413, JSON 415; nothing is appended', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const missing = await importCsv(api, id, 'Organisation,Kind,Name\nX,ministry,A\n');
  t.equal(missing.statusCode, 400);
  t.equal(missing.json().code, 'CSV_MISSING_COLUMNS');
  t.equal(missing.json().title, 'the CSV\'s header row lacks the columns email, language');
  t.strictSame(fieldsOf(missing), ['header.email', 'header.language']);
  t.strictSame(missing.json().details.missingColumns, ['email', 'language']);
  const empty = await importCsv(api, id, '');
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().code, 'CSV_MISSING_COLUMNS');
  const twice = await importCsv(api, id, 'organisation,kind,name,email,language,Email\n');
  t.equal(twice.statusCode, 400);
  t.equal(twice.json().code, 'CSV_DUPLICATE_COLUMNS');
  const unreadable = await importCsv(api, id, 'organisation,kind,name,email,language\n"Ministry of Defence,ministry,A,a@x.example,en\n');
  t.equal(unreadable.statusCode, 400);
  t.equal(unreadable.json().code, 'INVALID_CSV');
  const header = 'organisation,kind,name,email,language\n';
  const big = header + Array.from({ length: 2001 }, (_, i) => `Org ${i},other,Person ${i},p${i}@x.example,en`).join('\n');
  const tooMany = await importCsv(api, id, big);
  t.equal(tooMany.statusCode, 413);
  t.equal(tooMany.json().code, 'TOO_MANY_ROWS');
  t.strictSame(tooMany.json().details, { rows: 2001, limit: 2000 });
  const json = await api.call({ url: `/consultations/${id}/stakeholders/import`, body: { csv: header } });
  t.equal(json.statusCode, 415);
  t.equal(json.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  const headerOnly = await importCsv(api, id, header);
  t.strictSame(headerOnly.json(), { rows: [], invited: 0, existing: 0, errors: 0 });
  t.equal(await eventCount(api, id), 2);
});

t.test('import: the body limit is enforced (413)', async (t) => {
  const api = await startApi(t, { bodyLimit: 2048 });
  const id = await openConsultation(api);
  const res = await importCsv(api, id, 'organisation,kind,name,email,language\n' + 'X,ministry,A,a@x.example,en\n'.repeat(100));
  t.equal(res.statusCode, 413);
  t.equal(res.json().code, 'BODY_TOO_LARGE');
  t.equal(await eventCount(api, id), 2);
});

t.test('POST /response records the answer on the stakeholder\'s behalf', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const ngo = await invite(api, id, WOMEN_NGO);
  const accepted = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/response`, body: { response: 'accept' } });
  t.equal(accepted.statusCode, 200);
  t.strictSame(accepted.json(), { revision: 4 });
  const declined = await api.call({ url: `/consultations/${id}/stakeholders/${ngo}/response`, body: { response: 'decline', reason: 'no capacity this year' } });
  t.strictSame(declined.json(), { revision: 5 });
  const rows = await list(api, id);
  t.strictSame(rows.map((x) => [x.response, x.invitationStatus, x.declineReason]), [['accepted', 'accepted', null], ['declined', 'declined', 'no capacity this year']]);
  const events = (await api.call({ url: `/consultations/${id}/events?from=4` })).json() as { events: { type: string; metadata: { actor: unknown } }[] };
  t.strictSame(events.events[0]!.metadata.actor, { role: 'coordinator', id: 'Gender Office coordinator' }, 'the actor is the token\'s subject');
  const bad = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/response`, body: { response: 'maybe' } });
  t.equal(bad.statusCode, 400);
  t.strictSame(fieldsOf(bad), ['body.response']);
  const afterDecline = await api.call({ url: `/consultations/${id}/stakeholders/${ngo}/response`, body: { response: 'accept' } });
  t.equal(afterDecline.statusCode, 409);
  t.equal(afterDecline.json().code, 'STAKEHOLDER_DECLINED');
  t.equal(await eventCount(api, id), 6);
});

t.test('PUT /contacts replaces the contact people', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  await invite(api, id, WOMEN_NGO);
  const contacts = [{ name: 'Cristina Vasile', email: 'cristina.vasile@mapn.example' }, DEFENCE.contact];
  const res = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/contacts`, method: 'PUT', body: { contacts } });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), { revision: 4 });
  t.strictSame(people((await list(api, id))[0]!.contacts), contacts);
  const empty = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/contacts`, method: 'PUT', body: { contacts: [] } });
  t.equal(empty.statusCode, 400);
  t.strictSame(fieldsOf(empty), ['body.contacts']);
  const taken = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/contacts`, method: 'PUT', body: { contacts: [WOMEN_NGO.contacts[1]] } });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'CONTACT_BELONGS_TO_OTHER_STAKEHOLDER');
  t.equal(await eventCount(api, id), 5);
});

t.test('DELETE removes with a reason from the body, the query, or the default; reinstate without a body', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const a = await invite(api, id);
  const b = await invite(api, id, WOMEN_NGO);
  const c = await invite(api, id, { ...DEFENCE, organisation: 'Ministry of Education', contact: { name: 'Dana', email: 'dana@edu.example' } });
  t.strictSame((await api.call({ url: `/consultations/${id}/stakeholders/${a}`, method: 'DELETE' })).json(), { revision: 5 });
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${b}?reason=merged%20with%20another%20network`, method: 'DELETE' })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${c}?reason=ignored`, method: 'DELETE', body: { reason: 'replaced by the Ministry of Culture' } })).statusCode, 200);
  t.strictSame((await list(api, id)).map((x) => [x.invitationStatus, x.removal?.reason]), [
    ['removed', 'removed by the coordinator'], ['removed', 'merged with another network'], ['removed', 'replaced by the Ministry of Culture'],
  ]);
  const again = await api.call({ url: `/consultations/${id}/stakeholders/${a}`, method: 'DELETE' });
  t.strictSame(again.json(), { revision: 7 }, 'removing twice appends nothing');
  const badReason = await api.call({ url: `/consultations/${id}/stakeholders/${a}`, method: 'DELETE', body: { reason: '   ' } });
  t.equal(badReason.statusCode, 400);
  t.strictSame(fieldsOf(badReason), ['body.reason']);
  const reinstated = await api.call({ url: `/consultations/${id}/stakeholders/${a}/reinstate`, method: 'POST' });
  t.equal(reinstated.statusCode, 200);
  t.strictSame(reinstated.json(), { revision: 8 });
  t.strictSame((await list(api, id))[0]!.invitationStatus, 'invited');
  t.strictSame(await eventTypes(api, id), [
    'ConsultationOpened', 'DraftPublished', 'StakeholderInvited', 'StakeholderInvited', 'StakeholderInvited',
    'StakeholderRemoved', 'StakeholderRemoved', 'StakeholderRemoved', 'StakeholderReinstated',
  ]);
});

t.test('POST /review completes the review of the latest draft on the stakeholder\'s behalf', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const res = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/review`, body: { draftVersion: 1 } });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), { revision: 3 });
  const row = (await list(api, id))[0]!;
  t.strictSame(row.reviewedVersions, [1]);
  t.strictSame(row.awaiting, [], 'a completed review is an answer');
  const bad = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/review`, body: { draftVersion: 'one' } });
  t.equal(bad.statusCode, 400);
  t.strictSame(fieldsOf(bad), ['body.draftVersion']);
  const missing = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/review`, body: { draftVersion: 9 } });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'DRAFT_NOT_FOUND');
  t.equal(await eventCount(api, id), 4);
});

t.test('POST /messages and /delivery-failures record what happened to messages sent by other means', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id);
  const ngo = await invite(api, id, WOMEN_NGO);
  const letter = { kind: 'invitation', stakeholderId: sid, messageId: 'letter-2027-001', sentAt: '2027-01-05T10:00:00+02:00' };
  const sent = await api.call({ url: `/consultations/${id}/messages`, body: letter });
  t.equal(sent.statusCode, 200);
  t.strictSame(sent.json(), { revision: 4 });
  t.strictSame((await api.call({ url: `/consultations/${id}/messages`, body: letter })).json(), { revision: 4 }, 'the same messageId records nothing');
  const failure = { stakeholderId: ngo, messageId: 'mail-7', messageKind: 'invitation', error: 'mailbox unavailable', permanent: true, failedAt: '2027-01-05T10:05:00Z' };
  const failed = await api.call({ url: `/consultations/${id}/delivery-failures`, body: failure });
  t.equal(failed.statusCode, 200);
  t.strictSame(failed.json(), { revision: 5 });
  const rows = await list(api, id);
  t.strictSame([rows[0]!.invitationStatus, rows[0]!.invitationSentAt], ['e-mailed', '2027-01-05T10:00:00+02:00']);
  t.strictSame([rows[1]!.invitationStatus, rows[1]!.lastDeliveryFailure?.messageId, rows[1]!.lastDeliveryFailure?.permanent], ['delivery-failed', 'mail-7', true]);
  const badKind = await api.call({ url: `/consultations/${id}/messages`, body: { ...letter, kind: 'postcard' } });
  t.equal(badKind.statusCode, 400);
  t.strictSame(fieldsOf(badKind), ['body.kind']);
  const badReminder = await api.call({ url: `/consultations/${id}/messages`, body: { ...letter, kind: 'reminder', phase: 'comments', draftVersion: 1 } });
  t.equal(badReminder.statusCode, 400);
  t.strictSame(fieldsOf(badReminder), ['body.deadline']);
  const badFailure = await api.call({ url: `/consultations/${id}/delivery-failures`, body: { ...failure, failedAt: 'yesterday', error: '' } });
  t.equal(badFailure.statusCode, 400);
  t.strictSame(fieldsOf(badFailure), ['body.error', 'body.failedAt']);
  t.equal(await eventCount(api, id), 6);
});

t.test('GET /stakeholders?awaiting=true lists only those who have not answered; ?status= filters by invitation status', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const defence = await invite(api, id);
  const ngo = await invite(api, id, WOMEN_NGO);
  const education = await invite(api, id, { ...DEFENCE, organisation: 'Ministry of Education', contact: { name: 'Dana', email: 'dana@edu.example' }, endorser: false });
  await api.call({ url: `/consultations/${id}/stakeholders/${defence}/review`, body: { draftVersion: 1 } });
  await api.call({ url: `/consultations/${id}/stakeholders/${ngo}/response`, body: { response: 'decline' } });
  await api.call({ url: `/consultations/${id}/stakeholders/${education}/response`, body: { response: 'accept' } });
  const ids = async (query: string) => (await list(api, id, query)).map((x) => x.id);
  t.strictSame(await ids('?awaiting=true'), [education], 'accepted but no comments yet');
  t.strictSame(await ids('?awaiting=false'), [defence, ngo]);
  t.strictSame(await ids('?awaiting=comments'), [education]);
  t.strictSame(await ids('?awaiting=response'), []);
  t.strictSame(await ids('?status=accepted'), [education]);
  t.strictSame(await ids('?status=declined'), [ngo]);
  t.strictSame(await ids('?status=invited&awaiting=false'), [defence]);
  t.strictSame(await ids(''), [defence, ngo, education]);
  const bad = await api.call({ url: `/consultations/${id}/stakeholders?awaiting=maybe&status=lost` });
  t.equal(bad.statusCode, 400);
  t.strictSame(fieldsOf(bad), ['querystring.awaiting', 'querystring.status']);
});

t.test('the OpenAPI document describes the stakeholder routes with their bodies', async (t) => {
  const api = await startApi(t);
  const res = await api.call({ url: '/docs/json', as: null });
  t.equal(res.statusCode, 200);
  const doc = res.json() as { paths: Record<string, Record<string, { tags: string[]; requestBody?: { content: Record<string, unknown> } }>> };
  const paths = Object.keys(doc.paths).filter((p) => p.includes('stakeholders') || p.endsWith('/messages') || p.endsWith('/delivery-failures')).sort();
  t.strictSame(paths, [
    '/consultations/{id}/delivery-failures',
    '/consultations/{id}/messages',
    '/consultations/{id}/stakeholders',
    '/consultations/{id}/stakeholders/import',
    '/consultations/{id}/stakeholders/{sid}',
    '/consultations/{id}/stakeholders/{sid}/contacts',
    '/consultations/{id}/stakeholders/{sid}/messages',
    '/consultations/{id}/stakeholders/{sid}/messages/preview',
    '/consultations/{id}/stakeholders/{sid}/reinstate',
    '/consultations/{id}/stakeholders/{sid}/resend-invitation',
    '/consultations/{id}/stakeholders/{sid}/response',
    '/consultations/{id}/stakeholders/{sid}/review',
  ]);
  t.strictSame(doc.paths['/consultations/{id}/stakeholders']!['post']!.tags, ['stakeholders']);
  t.strictSame(Object.keys(doc.paths['/consultations/{id}/stakeholders/import']!['post']!.requestBody!.content), ['text/csv']);
  t.ok(doc.paths['/consultations/{id}/stakeholders']!['post']!.requestBody!.content['application/json']);
});

t.test('a retried import with its Idempotency-Key and If-Match answers with the first result, not 412', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const csv = 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\nY,ministry,B,b@y.example,en\n';
  const headers = { 'if-match': '"1"', 'idempotency-key': 'import-round-1' };
  const first = await importCsv(api, id, csv, headers);
  t.equal(first.statusCode, 200);
  const again = await importCsv(api, id, csv, headers);
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), first.json());
  t.equal(await eventCount(api, id), 4, 'nothing appended twice');
});

t.test('a retried import after the consultation closed still answers with its first result', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const csv = 'organisation,kind,name,email,language\nX,ministry,A,a@x.example,en\n';
  const headers = { 'idempotency-key': 'import-before-close' };
  const first = await importCsv(api, id, csv, headers);
  t.equal((await api.call({ url: `/consultations/${id}/close`, body: { outcome: 'withdrawn' } })).statusCode, 200);
  const again = await importCsv(api, id, csv, headers);
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), first.json());
  t.equal((await importCsv(api, id, csv, { 'idempotency-key': 'a-new-import' })).statusCode, 409, 'a new import is refused');
});

t.test('GET /stakeholders pages: ?limit= and ?cursor= with the filters, answered with next; a bad cursor or limit is 400', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const rows = Array.from({ length: 12 }, (_, i) => `Network ${i + 1},civil-society,Focal ${i + 1},focal${i + 1}@networks.example,en`);
  const imported = await importCsv(api, id, `organisation,kind,name,email,language\n${rows.join('\n')}\n`);
  t.equal(imported.statusCode, 200, imported.body);
  const all = await list(api, id);
  t.equal(all.length, 12);
  // every other one accepts: 1, 3, 5, …, 11
  for (const x of all.filter((_, i) => i % 2 === 0)) await api.call({ url: `/consultations/${id}/stakeholders/${x.id}/response`, body: { response: 'accept' } });

  const pages: string[][] = [];
  let url = `/consultations/${id}/stakeholders?status=accepted&limit=2`;
  for (;;) {
    const res = await api.call({ url });
    t.equal(res.statusCode, 200, url);
    const body = res.json() as { consultationId: string; status: string; stakeholders: Row[]; next: string | null };
    t.strictSame([body.consultationId, body.status], [id, 'open'], 'the consultation\'s facts on every page');
    pages.push(body.stakeholders.map((x) => x.organisation));
    if (body.next === null) break;
    url = `/consultations/${id}/stakeholders?status=accepted&limit=2&cursor=${body.next}`;
  }
  t.strictSame(pages, [['Network 1', 'Network 3'], ['Network 5', 'Network 7'], ['Network 9', 'Network 11']], 'three pages of the accepted only');

  const first = (await api.call({ url: `/consultations/${id}/stakeholders?limit=5` })).json();
  t.strictSame([first.stakeholders.length, typeof first.next], [5, 'string']);
  const second = (await api.call({ url: `/consultations/${id}/stakeholders?limit=10&cursor=${first.next}` })).json();
  t.strictSame([second.stakeholders.map((x: Row) => x.organisation), second.next], [all.slice(5).map((x) => x.organisation), null]);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders` })).json().next, null, 'default limit 500: one page');

  for (const query of ['cursor=abc%21', 'cursor=WzEsMl0', 'limit=0', 'limit=1001', 'limit=-1']) {
    const bad = await api.call({ url: `/consultations/${id}/stakeholders?${query}` });
    t.equal(bad.statusCode, 400, query);
    t.strictSame(fieldsOf(bad), [`querystring.${query.split('=')[0]}`], query);
  }
});

// ---- correcting a stakeholder ----

t.test('PATCH /stakeholders/:sid corrects organisation, kind, language and endorser; the same values again append nothing', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id, WOMEN_NGO);
  const patch = (body: unknown, headers: Record<string, string> = {}) => api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'PATCH', body, headers });
  const res = await patch({ organisation: 'Women for Peace Association Romania', kind: 'international', language: 'ro', endorser: true });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), { revision: 3 });
  t.equal(res.headers.etag, '"3"');
  const row = (await list(api, id))[0]!;
  t.strictSame([row.organisation, row.kind, row.language, row.endorser, people(row.contacts)], ['Women for Peace Association Romania', 'international', 'ro', true, WOMEN_NGO.contacts]);
  const events = (await api.call({ url: `/consultations/${id}/events?from=3` })).json() as { events: { type: string; data: unknown }[] };
  t.strictSame(events.events.map((e) => [e.type, e.data]), [['StakeholderDetailsChanged', {
    stakeholderId: sid, organisation: 'Women for Peace Association Romania', kind: 'international', language: 'ro', endorser: true,
  }]]);
  t.strictSame((await patch({ kind: 'international', endorser: true })).json(), { revision: 3 }, 'the same values: nothing appended');
  t.strictSame((await patch({ endorser: false })).json(), { revision: 4 });
  t.strictSame((await eventTypes(api, id)).slice(-2), ['StakeholderDetailsChanged', 'StakeholderDetailsChanged']);
  const stale = await patch({ kind: 'academia' }, { 'if-match': '"3"' });
  t.equal(stale.statusCode, 412, 'If-Match is honoured');
  t.equal(await eventCount(api, id), 5);
});

t.test('PATCH: an empty or unknown body is 400; a taken name or a language not offered is 409; nothing is appended', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api); // en and ro
  const defence = await invite(api, id);
  const sid = await invite(api, id, WOMEN_NGO);
  const before = await eventCount(api, id);
  const patch = (body: unknown) => api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'PATCH', body });
  const empty = await patch({});
  t.equal(empty.statusCode, 400);
  t.equal(empty.json().code, 'INVALID_INPUT');
  t.match(empty.json().errors[0].message, /at least one of organisation, kind, language, endorser/);
  const unknown = await patch({ contacts: WOMEN_NGO.contacts, kind: 'army' });
  t.equal(unknown.statusCode, 400);
  t.strictSame(fieldsOf(unknown), ['body.contacts', 'body.kind']);
  const taken = await patch({ organisation: 'MINISTRY OF  DEFENCE' });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'ORGANISATION_ALREADY_INVITED');
  t.strictSame(taken.json().details, { stakeholderId: defence });
  const polish = await patch({ language: 'pl' });
  t.equal(polish.statusCode, 409);
  t.equal(polish.json().code, 'LANGUAGE_NOT_OFFERED');
  t.strictSame(polish.json().details, { language: 'pl', languages: ['en', 'ro'] });
  const json = await api.call({ url: `/consultations/${id}/stakeholders/${sid}`, method: 'PATCH', payload: 'kind=other', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(json.statusCode, 415);
  t.equal(await eventCount(api, id), before);
});

t.test('PATCH endorser: true while a request is open makes it pending there, shown in the sign-off view with when it became one', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const defence = await invite(api, id);
  const ngo = await invite(api, id, WOMEN_NGO);
  await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-09-30T17:00:00+03:00' } });
  await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: defence, draftVersion: 1, decision: 'endorse', signatory: { name: 'Ana Popescu', title: 'State Secretary' } } });
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${ngo}`, method: 'PATCH', body: { endorser: true } })).statusCode, 200);
  const row = (await api.call({ url: `/consultations/${id}/stakeholders/${ngo}` })).json() as Row & { endorsement: string };
  t.strictSame([row.endorser, row.endorsement, row.awaiting], [true, 'pending', ['response', 'comments', 'endorsement']]);
  const signOff = (await api.call({ url: `/consultations/${id}/sign-off` })).json();
  t.strictSame(signOff.endorsers.map((x: { stakeholderId: string; status: string }) => [x.stakeholderId, x.status]), [[defence, 'endorsed'], [ngo, 'pending']]);
  t.match(signOff.endorsers[1].endorserHistory, [{ endorser: true, changedAt: String, cause: 'details-changed', actor: { role: 'coordinator' } }]);
  t.equal(Date.parse(signOff.endorsers[1].endorserHistory[0].changedAt) > 0, true);
  t.equal(signOff.readyForAdoption, false);
  const early = await api.call({ url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  t.equal(early.statusCode, 409, 'adoption waits for the new endorser');
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${defence}`, method: 'PATCH', body: { endorser: false } })).statusCode, 200);
  const after = (await api.call({ url: `/consultations/${id}/sign-off` })).json();
  t.strictSame(after.endorsers.map((x: { stakeholderId: string; status: string; required: boolean }) => [x.stakeholderId, x.status, x.required]),
    [[defence, 'not-an-endorser', false], [ngo, 'pending', true]], 'a former endorser is not required; it stays listed with its decisions');
  t.equal(after.endorsers[0].history.length, 1);
  const summary = (await api.call({ url: `/consultations/${id}` })).json();
  t.match(summary.counts, { endorsementsRequired: 1, endorsementsReceived: 0 }, 'the list agrees');
});

t.test('re-inviting a contact with other details is 409 STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS naming them and the PATCH that changes them', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id, WOMEN_NGO);
  const before = await eventCount(api, id);
  const res = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...WOMEN_NGO, endorser: true, kind: 'academia' } });
  t.equal(res.statusCode, 409);
  t.equal(res.json().code, 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS');
  t.strictSame(res.json().details, {
    stakeholderId: sid, fields: ['kind', 'endorser'], existing: { kind: 'civil-society', endorser: false }, given: { kind: 'academia', endorser: true },
    change: { method: 'PATCH', path: `/consultations/${id}/stakeholders/${sid}` },
  });
  t.match(res.json().title, new RegExp(`change them with PATCH /consultations/${id}/stakeholders/${sid}$`));
  const same = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...WOMEN_NGO, endorser: false } });
  t.equal(same.statusCode, 200, 'the same details: the existing stakeholder');
  const otherLanguage = await api.call({ url: `/consultations/${id}/stakeholders`, body: { ...WOMEN_NGO, language: 'pl' } });
  t.equal(otherLanguage.json().code, 'LANGUAGE_NOT_OFFERED', 'a language not offered is refused first');
  t.equal(await eventCount(api, id), before);
});

t.test('import: a contact invited with other details, and a language not offered, are reported per row', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const ngo = await invite(api, id, WOMEN_NGO);
  const res = await importCsv(api, id, [
    'organisation,kind,name,email,language,endorser',
    'Women for Peace Association,civil-society,Ioana Marin,ioana@wfp.example,ro,yes',
    'Women for Peace Association,,Elena Dobre,elena@wfp.example,,',
    'Polish Women\'s League,civil-society,Anna Nowak,anna@pwl.example,pl,',
    'Peace Institute,academia,Dan Pop,dan@pi.example,en,',
  ].join('\n'));
  t.equal(res.statusCode, 200);
  const change = `PATCH /consultations/${id}/stakeholders/${ngo}`;
  const errors = [
    { field: 'language', message: `is ro here, en on the stakeholder invited already; change it with ${change}`, code: 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS' },
    { field: 'endorser', message: `is true here, false on the stakeholder invited already; change it with ${change}`, code: 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS' },
  ];
  const report = res.json() as { rows: { row: number; status: string; stakeholderId?: string; errors?: unknown[] }[]; invited: number; errors: number };
  t.strictSame(report.rows.slice(0, 3), [
    { row: 2, organisation: 'Women for Peace Association', status: 'error', errors, stakeholderId: ngo },
    { row: 3, organisation: 'Women for Peace Association', status: 'error', errors, stakeholderId: ngo },
    { row: 4, organisation: 'Polish Women\'s League', status: 'error', errors: [{ field: 'language', message: 'the consultation is held in en, ro, not in pl', code: 'LANGUAGE_NOT_OFFERED' }] },
  ]);
  t.match(report, { invited: 1, existing: 0, errors: 3 });
});

// ---- charsets of the CSV import ----

const HEADER = 'organisation,kind,name,email,language\n';

t.test('import: a Windows-1252 file (Excel in the Netherlands) sent with charset=windows-1252 is stored as written', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const bytes = Buffer.from(`${HEADER}Stichting Vrouwen\xEBn,civil-society,Ren\xE9e Caf\xE9,renee@vrouwen.example,en\n`, 'latin1');
  t.equal(bytes.includes(0xEB) && bytes.includes(0xE9), true, 'the bytes are Windows-1252, not UTF-8');
  const res = await importCsv(api, id, bytes, { 'content-type': 'text/csv; charset=windows-1252' });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { invited: 1, errors: 0 });
  const [row] = await list(api, id);
  t.equal(row!.organisation, 'Stichting Vrouwenën');
  t.strictSame(people(row!.contacts), [{ name: 'Renée Café', email: 'renee@vrouwen.example' }]);
  t.notOk(JSON.stringify(row).includes('\uFFFD'), 'no replacement character');
});

t.test('import: Windows-1250 (Excel in Romania), ISO-8859-1 and a UTF-8 byte order mark are read; the charset name is case-insensitive', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const romanian = Buffer.from(`${HEADER}Asocia\xFEia Femeilor din Bra\xBAov,civil-society,Ioana,ioana@afb.example,ro\n`, 'latin1');
  t.equal((await importCsv(api, id, romanian, { 'content-type': 'text/csv; charset="Windows-1250"' })).statusCode, 200);
  const latin1 = Buffer.from(`${HEADER}Fondation Fran\xE7aise,other,Zo\xE9,zoe@ff.example,en\n`, 'latin1');
  t.equal((await importCsv(api, id, latin1, { 'content-type': 'text/csv;charset=ISO-8859-1' })).statusCode, 200);
  const bom = Buffer.concat([Buffer.from([0xEF, 0xBB, 0xBF]), Buffer.from(`${HEADER}Kvinna till Kvinna,international,Åsa,asa@ktk.example,en\n`, 'utf8')]);
  t.equal((await importCsv(api, id, bom, { 'content-type': 'text/csv; charset=windows-1252' })).statusCode, 200, 'the BOM decides');
  t.strictSame((await list(api, id)).map((x) => [x.organisation, x.contacts[0]!.name]), [
    ['Asociaţia Femeilor din Braşov', 'Ioana'], ['Fondation Française', 'Zoé'], ['Kvinna till Kvinna', 'Åsa'],
  ]);
});

t.test('import: bytes not valid in the declared charset (UTF-8 by default) are 400 naming the first bad line and the charset to try', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const before = await eventCount(api, id);
  const excel = Buffer.from(`${HEADER}Peace Institute,academia,Dan,dan@pi.example,en\nStichting Vrouwen\xEBn,civil-society,Caf\xE9,cafe@x.example,en\n`, 'latin1');
  for (const headers of [{ 'content-type': 'text/csv' }, { 'content-type': 'text/csv; charset=utf-8' }]) {
    const res = await importCsv(api, id, excel, headers);
    t.equal(res.statusCode, 400);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(res.json().code, 'INVALID_CSV_ENCODING');
    t.equal(res.json().title, 'line 3 is not valid UTF-8; if this file came from Excel, send it with charset=windows-1252 (or windows-1250 for Central European languages)');
    t.strictSame(res.json().details, { line: 3, charset: 'utf-8', suggestedCharsets: ['windows-1252', 'windows-1250'] });
  }
  const undefinedByte = await importCsv(api, id, Buffer.from(`${HEADER}X\x81,other,A,a@x.example,en\n`, 'latin1'), { 'content-type': 'text/csv; charset=windows-1252' });
  t.equal(undefinedByte.statusCode, 400);
  t.equal(undefinedByte.json().title, 'line 2 is not valid windows-1252 (byte 0x81); send it with the charset it was saved in');
  const utf8AsAscii = await importCsv(api, id, Buffer.from(`${HEADER}Café,other,A,a@x.example,en\n`, 'utf8'), { 'content-type': 'text/csv; charset=us-ascii' });
  t.equal(utf8AsAscii.json().title, 'line 2 is not valid us-ascii (byte 0xC3); the file is valid UTF-8: send it with charset=utf-8');
  t.equal(await eventCount(api, id), before, 'nothing appended');
});

t.test('import: a charset the import does not read is 415 UNSUPPORTED_CHARSET listing those it reads', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const res = await importCsv(api, id, `${HEADER}X,other,A,a@x.example,en\n`, { 'content-type': 'text/csv; charset=x-mac-klingon' });
  t.equal(res.statusCode, 415);
  t.equal(res.json().code, 'UNSUPPORTED_CHARSET');
  t.equal(res.json().details.charset, 'x-mac-klingon');
  t.ok(res.json().details.supported.includes('windows-1252') && res.json().details.supported.includes('windows-1250'));
  t.equal(await eventCount(api, id), 2);
});

// ---- the register as CSV ----

t.test('GET /stakeholders with Accept: text/csv answers the register as CSV, one row per stakeholder, with the list\'s filters', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const defence = await invite(api, id);
  const ngo = await invite(api, id, { ...WOMEN_NGO, organisation: '=HYPERLINK("x")' });
  await api.call({ url: `/consultations/${id}/stakeholders/${defence}/response`, body: { response: 'accept' } });
  const res = await api.call({ url: `/consultations/${id}/stakeholders`, headers: { accept: 'text/csv' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], `attachment; filename="stakeholders-${id}.csv"`);
  t.equal(res.headers.vary, 'Accept');
  t.equal(res.headers.etag, 'W/"4-csv"');
  t.ok(res.body.startsWith('\uFEFF'), 'a UTF-8 byte order mark, for Excel');
  const lines = res.body.slice(1).split('\r\n');
  // after each "… at" column, the same time in the consultation's zone (OPEN_BODY: Europe/Bucharest)
  t.equal(lines[0], '"Stakeholder ID","Organisation","Kind","Language","Endorser","Name","Email","Other contacts","Invitation status","Response",'
    + '"Decline reason","Removal reason","Removed at","Removed at (Europe/Bucharest)","Invitation sent at","Invitation sent at (Europe/Bucharest)",'
    + '"Comments","Reviewed versions","Endorsement","Awaiting","Last activity at","Last activity at (Europe/Bucharest)","Last response at","Last response at (Europe/Bucharest)","Reply domains"');
  t.match(lines[1], new RegExp(`^"${defence}","Ministry of Defence","ministry","ro","true","Ana Popescu","ana.popescu@mapn.example",,"accepted","accepted",,,,,,,"0",,"not-requested","comments",`));
  t.match(lines[1], /,"(\d{4}-\d\d-\d\dT[\d:.]+Z)","\d{4}-\d\d-\d\dT[\d:.]+\+0[23]:00","\1","\d{4}-\d\d-\d\dT[\d:.]+\+0[23]:00",$/, 'its last activity and response, each with its local time');
  t.match(lines[2], new RegExp(`^"${ngo}","'=HYPERLINK\\(""x""\\)","civil-society","en","false","Ioana Marin","ioana@wfp.example","Elena Dobre <elena@wfp.example>","invited"`), 'a formula is neutralised');
  t.equal(lines.length, 4, 'two rows and the final line end');
  const filtered = await api.call({ url: `/consultations/${id}/stakeholders?status=accepted`, headers: { accept: 'text/csv' } });
  t.equal(filtered.body.slice(1).split('\r\n').length, 3, 'the filters apply');
  const unpaged = await api.call({ url: `/consultations/${id}/stakeholders?limit=1`, headers: { accept: 'text/csv' } });
  t.equal(unpaged.body.slice(1).split('\r\n').length, 4, 'every stakeholder, unpaged');
  const json = await api.call({ url: `/consultations/${id}/stakeholders`, headers: { accept: 'application/json, text/csv' } });
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8', 'JSON stays the default on a tie');
  t.equal(json.headers.etag, 'W/"4"');
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders`, headers: { accept: 'text/csv', 'if-none-match': 'W/"4-csv"' } })).statusCode, 304);
});

t.test('the register re-imports: every stakeholder is found existing, nothing appended', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  await invite(api, id);
  await invite(api, id, WOMEN_NGO);
  const before = await eventCount(api, id);
  const register = (await api.call({ url: `/consultations/${id}/stakeholders`, headers: { accept: 'text/csv' } })).body;
  const res = await importCsv(api, id, register);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { invited: 0, existing: 2, errors: 0 });
  t.equal(await eventCount(api, id), before);
});

t.test('reply domains: on invite, PATCH, in the view and the register; the import reads them back (column "reply domains")', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await invite(api, id, { ...WOMEN_NGO, replyDomains: ['WFP.example'] });
  const row = async () => (await api.call({ url: `/consultations/${id}/stakeholders/${sid}` })).json() as { replyDomains: string[] };
  t.same((await row()).replyDomains, ['wfp.example']);
  const patched = await api.call({ method: 'PATCH', url: `/consultations/${id}/stakeholders/${sid}`, body: { replyDomains: ['wfp.example', 'wfp.org'] } });
  t.equal(patched.statusCode, 200, patched.body);
  t.same((await row()).replyDomains, ['wfp.example', 'wfp.org']);
  const bad = await api.call({ method: 'PATCH', url: `/consultations/${id}/stakeholders/${sid}`, body: { replyDomains: ['not a domain'] } });
  t.equal(bad.statusCode, 400);

  const register = (await api.call({ url: `/consultations/${id}/stakeholders`, headers: { accept: 'text/csv' } })).body;
  t.match(register, /"Reply domains"\r\n.*"wfp\.example wfp\.org"\r\n/s);
  const before = await eventCount(api, id);
  t.match((await importCsv(api, id, register)).json(), { invited: 0, existing: 1, errors: 0 }, 'the register re-imports as it is');
  t.equal(await eventCount(api, id), before);

  const csv = 'organisation,kind,name,email,language,reply domains\r\n'
    + 'Ministry of Justice,ministry,Dan Pop,dan@just.example,en,"just.example; JUST.ro"\r\n'
    + 'Women for Peace Association,civil-society,Ioana Marin,ioana@wfp.example,en,other.example\r\n'
    + 'Bad Domains,academia,Ana,ana@bad.example,en,"not a domain"\r\n';
  const res = await importCsv(api, id, csv);
  t.equal(res.statusCode, 200, res.body);
  const body = res.json() as { invited: number; rows: { row: number; status: string; errors?: { field: string; code?: string }[] }[] };
  t.equal(body.invited, 1);
  t.match(body.rows.find((r) => r.row === 3)?.errors, [{ field: 'reply domains', code: 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS' }]);
  t.match(body.rows.find((r) => r.row === 4)?.errors, [{ field: 'reply domains' }]);
  const justice = (await list(api, id)).find((x) => x.organisation === 'Ministry of Justice') as unknown as { replyDomains: string[] };
  t.same(justice.replyDomains, ['just.example', 'just.ro']);
});
