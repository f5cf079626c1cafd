// Every time a view shows, also in the consultation's time zone (src/http/local-times.ts): a
// consultation in Europe/Amsterdam whose deadlines fall on both sides of the change to summer time
// (28 March 2027), and a walk over the served JSON (and CSV) of every view route the API has, so a
// view or a field added later without its local time fails here.
import t from 'tap';
import { parse } from 'csv-parse/sync';
import { commands } from '../../src/commands/index.ts';
import { emailReplyCommandId } from '../../src/domain/ids.ts';
import { localTime } from '../../src/domain/local-time.ts';
import { startApi } from '../helpers/http.ts';

const TZ = 'Europe/Amsterdam';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A clock the test moves: every event records the time it was handled. */
function movingClock(start: string) {
  let now = new Date(start);
  return { clock: () => now, set: (iso: string) => { now = new Date(iso); } };
}

type Api = Awaited<ReturnType<typeof startApi>>;

async function ok(api: Api, call: Parameters<Api['call']>[0]): Promise<Record<string, unknown>> {
  const res = await api.call(call);
  if (res.statusCode >= 300) throw new Error(`${call.method ?? 'POST'} ${call.url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A consultation with something of everything a view shows a time for; its ids. */
async function richConsultation(api: Api, time: ReturnType<typeof movingClock>) {
  const { id } = await ok(api, { url: '/consultations', body: { title: 'NAP 1325-V', leadOrganisation: 'Ministry of Foreign Affairs', languages: ['nl', 'en'], timeZone: TZ } }) as { id: string };
  const c = (path: string) => `/consultations/${id}${path}`;
  await ok(api, { url: c('/drafts'), body: { sections: [{ key: 's1', heading: 'Deelname', text: 'Vrouwen aan tafel.', translations: { en: { heading: 'Participation', text: 'Women at the table.' } } }, { key: 's2', heading: 'Bescherming', text: '' }], commentDeadline: '2027-03-27T16:00:00Z' } });
  const invite = async (organisation: string, endorser: boolean) => (await ok(api, {
    url: c('/stakeholders'),
    body: { organisation, kind: endorser ? 'ministry' : 'civil-society', contacts: [{ name: 'Focal point', email: `${organisation.toLowerCase().replace(/\W+/g, '.')}@example.nl` }], language: 'nl', endorser },
  })).stakeholderId as string;
  const cso = await invite('WO=MEN', false);
  const aca = await invite('Clingendael', false);
  const defence = await invite('Defensie', true);
  const justice = await invite('Justitie en Veiligheid', true);
  await ok(api, { url: c('/messages'), body: { kind: 'invitation', stakeholderId: cso, messageId: 'inv-cso', sentAt: '2027-03-20T09:01:00Z' } });
  await ok(api, { url: c('/delivery-failures'), body: { stakeholderId: aca, messageId: 'inv-aca', messageKind: 'invitation', error: '550 no such mailbox', failedAt: '2027-03-20T09:02:00Z' } });
  await ok(api, { url: c(`/stakeholders/${cso}/response`), body: { response: 'accept' } });
  time.set('2027-03-21T10:00:00Z');
  const first = (await ok(api, { url: c('/comments'), body: { stakeholderId: cso, draftVersion: 1, sectionKey: 's1', text: 'Noem een streefcijfer.' } })).commentId as string;
  const letter = (await ok(api, { url: c('/comments'), body: { stakeholderId: aca, draftVersion: 1, text: 'Per brief.', channel: 'letter', madeAt: '2027-03-20T15:00:00Z' } })).commentId as string;
  await ok(api, { url: c(`/comments/${first}/answer`), body: { disposition: 'noted', response: 'Wordt bekeken.' } });
  time.set('2027-03-22T10:00:00Z');
  await ok(api, { url: c(`/comments/${first}/answer`), body: { disposition: 'accepted', response: 'Opgenomen.' } });
  await ok(api, { url: c(`/comments/${letter}/retract`), body: { reason: 'Dubbel ingevoerd.' } });
  await ok(api, { url: c(`/stakeholders/${cso}/review`), body: { draftVersion: 1 } });
  // a reply by e-mail from an unknown sender, held, then accepted: receivedAt, heldAt, decidedAt
  const held = await api.handler.execute(commands.recordEmailReply, {
    consultationId: id, commandId: emailReplyCommandId('<held@elsewhere.example>'), actor: { role: 'system', id: 'inbound-mail' },
    input: {
      stakeholderId: cso, contactId: (await api.handler.load(id)).stakeholders.get(cso)!.contacts[0]!.contactId, messageId: '<held@elsewhere.example>', receivedAt: '2027-03-22T09:30:00Z',
      from: 'someone@elsewhere.example', blocks: [{ section: null, text: 'Per mail.' }],
    },
  });
  await ok(api, { url: c(`/held-replies/${String(held.events[0]!.data['heldId'])}/accept`), body: {} });
  // the comment period moves past the change to summer time, for everyone and further for one
  await ok(api, { url: c('/deadlines'), body: { phase: 'comments', deadline: '2027-04-03T15:00:00Z', reason: 'Paasdagen' } });
  await ok(api, { url: c('/deadlines'), body: { phase: 'comments', deadline: '2027-04-10T15:00:00Z', reason: 'Later', stakeholderId: cso } });
  time.set('2027-04-05T08:00:00Z');
  await ok(api, { url: c('/endorsement-requests'), body: { draftVersion: 1, deadline: '2027-04-20T15:00:00Z' } });
  await ok(api, { url: c('/messages'), body: { kind: 'reminder', stakeholderId: justice, messageId: 'rem-jus', phase: 'endorsement', draftVersion: 1, deadline: '2027-04-20T15:00:00Z', sentAt: '2027-04-05T08:30:00Z' } });
  await ok(api, { url: c('/endorsements'), body: { stakeholderId: defence, draftVersion: 1, decision: 'endorse', signatory: { name: 'Luitenant-generaal', title: 'Commandant' } } });
  await ok(api, { url: c('/endorsements'), body: { stakeholderId: justice, draftVersion: 1, decision: 'withhold', reason: 'Juridische toets.' } });
  await ok(api, { url: c('/deadlines'), body: { phase: 'endorsement', deadline: '2027-04-27T15:00:00Z', reason: 'Toets', stakeholderId: justice } });
  await ok(api, { method: 'DELETE', url: c(`/stakeholders/${aca}?reason=${encodeURIComponent('Geen adres')}`) });
  // a network made an endorser while the request is open: the sign-off's endorser history has its time
  await ok(api, { method: 'PATCH', url: c(`/stakeholders/${cso}`), body: { endorser: true } });
  return { id, sid: cso, cid: first, version: 1 };
}

/** Every ISO instant in the JSON, by path, that has no `…Local` twin equal to it in the zone (`timeZone` where the view names it). */
function untwinned(value: unknown, zone: string | null, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => untwinned(v, zone, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  const here = typeof o['timeZone'] === 'string' ? o['timeZone'] as string : zone;
  const out: string[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (typeof v === 'string' && INSTANT.test(v) && !key.endsWith('Local')) {
      if (here === null) out.push(`${path}.${key}: no timeZone named`);
      else if (o[`${key}Local`] !== localTime(v, here)) out.push(`${path}.${key} = ${v}: ${key}Local is ${JSON.stringify(o[`${key}Local`])}`);
    }
    out.push(...untwinned(v, here, `${path}.${key}`));
  }
  return out;
}

t.test('local times in Europe/Amsterdam across the change to summer time', async (t) => {
  const time = movingClock('2027-03-20T09:00:00Z');
  const api = await startApi(t, { clock: time.clock });
  const { id, sid } = await richConsultation(api, time);

  const summary = (await api.call({ url: `/consultations/${id}` })).json();
  t.equal(summary.timeZone, TZ, 'the view names the zone once');
  t.equal(summary.openedAtLocal, '2027-03-20T10:00:00.000+01:00', 'winter time: +01:00');
  t.equal(summary.commentDeadline, '2027-04-03T15:00:00Z');
  t.equal(summary.commentDeadlineLocal, '2027-04-03T17:00:00+02:00', 'summer time: +02:00, the same 17:00 on the clock');
  t.equal(summary.endorsementDeadlineLocal, '2027-04-20T17:00:00+02:00');

  const draft = (await api.call({ url: `/consultations/${id}/drafts/1` })).json();
  t.equal(draft.publishedAtLocal, '2027-03-20T10:00:00.000+01:00');
  t.equal(draft.commentDeadlineLocal, '2027-04-03T17:00:00+02:00');
  t.equal(draft.timeZone, TZ);

  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json();
  t.equal(matrix.comments[0].submittedAtLocal, '2027-03-21T11:00:00.000+01:00');
  t.equal(matrix.comments[0].earlierAnswers[0].answeredAtLocal, '2027-03-21T11:00:00.000+01:00');
  t.equal(matrix.comments[1].madeAtLocal, '2027-03-20T16:00:00+01:00', 'a letter\'s madeAt as written');

  const register = (await api.call({ url: `/consultations/${id}/stakeholders/${sid}` })).json();
  t.equal(register.ownDeadlines.commentsLocal, '2027-04-10T17:00:00+02:00', 'its own extension');
  t.equal(register.timeZone, TZ);

  const signOff = (await api.call({ url: `/consultations/${id}/sign-off` })).json();
  t.equal(signOff.endorsementDeadlineLocal, '2027-04-20T17:00:00+02:00');
  t.equal(signOff.request.requestedAtLocal, '2027-04-05T10:00:00.000+02:00');

  const list = (await api.call({ url: '/consultations' })).json();
  t.equal(list.consultations[0].timeZone, TZ, 'each consultation in the list names its own zone');
  t.equal(list.consultations[0].commentDeadlineLocal, '2027-04-03T17:00:00+02:00');
});

t.test('each consultation of the list in its own zone', async (t) => {
  const api = await startApi(t);
  for (const timeZone of ['Europe/Amsterdam', 'Europe/Bucharest', 'UTC']) {
    await ok(api, { url: '/consultations', body: { title: `Plan ${timeZone}`, leadOrganisation: 'Office', languages: ['en'], timeZone } });
  }
  const list = (await api.call({ url: '/consultations' })).json().consultations as Array<{ openedAt: string; openedAtLocal: string; timeZone: string }>;
  t.strictSame(list.map((c) => c.timeZone), ['Europe/Amsterdam', 'Europe/Bucharest', 'UTC']);
  t.strictSame(list.map((c) => c.openedAtLocal), list.map((c) => localTime(c.openedAt, c.timeZone)));
  t.match(list[2]!.openedAtLocal, /\+00:00$/);
});

t.test('every view route, JSON and CSV: each instant `x` has its `xLocal` in the consultation\'s zone, named by `timeZone`', async (t) => {
  const time = movingClock('2027-03-20T09:00:00Z');
  const api = await startApi(t, { clock: time.clock });
  const ids = await richConsultation(api, time);
  // a second consultation, closed: closedAt in the list
  const { id: closed } = await ok(api, { url: '/consultations', body: { title: 'Regionaal plan', leadOrganisation: 'Politie', languages: ['nl'], timeZone: TZ } }) as { id: string };
  await ok(api, { url: `/consultations/${closed}/close`, body: { outcome: 'withdrawn' } });

  const document = (await api.call({ url: '/docs/json', as: null })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
  const fill = (path: string) => path.replace('{id}', ids.id).replace('{sid}', ids.sid).replace('{cid}', ids.cid).replace('{version}', String(ids.version));
  const routes = Object.entries(document.paths)
    // not views: the raw history (the record as stored) and a message's preview (its times written inside its texts, in the recipient's language)
    // and a download (an attachment's bytes), and the export bundle (events as stored, like /events)
    .filter(([path, ops]) => ops['get'] && path.startsWith('/consultations') && path !== '/consultations/{id}/events' && !path.endsWith('/messages/preview')
      && !path.endsWith('/attachments/{sha256}') && path !== '/consultations/{id}/export');
  const checked: string[] = [];
  const problems: string[] = [];
  for (const [path, ops] of routes) {
    const url = fill(path);
    const content = ops['get']!.responses['200']?.content ?? {};
    const variants = [url, ...(path.endsWith('/sign-off') ? [`${url}?version=1`] : []), ...(path.endsWith('/drafts/{version}') ? [`${url}?lang=en`] : [])];
    for (const u of variants) {
      const res = await api.call({ url: u });
      if (res.statusCode !== 200) { problems.push(`${u}: ${res.statusCode} ${res.body}`); continue; }
      const body = res.json();
      const instants = JSON.stringify(body).match(/"\d{4}-\d{2}-\d{2}T[^"]+"/g)?.length ?? 0;
      if (instants === 0) problems.push(`${u}: no instant at all, so nothing was checked`);
      problems.push(...untwinned(body, null).map((p) => `${u} ${p}`));
      checked.push(`GET ${path}${u.includes('?') ? u.slice(u.indexOf('?')) : ''}`);
    }
    if ('text/csv' in content) {
      const res = await api.call({ url, headers: { accept: 'text/csv' } });
      const [header = [], ...rows] = parse(res.body, { bom: true }) as string[][];
      header.forEach((name, i) => {
        if (name.endsWith(` (${TZ})`) || !rows.some((r) => INSTANT.test(r[i] ?? ''))) return;
        const twin = header.indexOf(`${name} (${TZ})`);
        if (twin < 0) problems.push(`${path} CSV: column "${name}" has no "${name} (${TZ})"`);
        else rows.forEach((r, n) => { if (r[i] && r[twin] !== localTime(r[i]!, TZ)) problems.push(`${path} CSV row ${n + 1}: ${r[i]} → ${r[twin]}`); });
      });
      checked.push(`GET ${path} (CSV)`);
    }
  }
  t.strictSame(problems, []);
  for (const expected of ['/consultations', '/consultations/{id}', '/consultations/{id}/drafts', '/consultations/{id}/drafts/{version}', '/consultations/{id}/stakeholders',
    '/consultations/{id}/stakeholders/{sid}', '/consultations/{id}/stakeholders/{sid}/messages', '/consultations/{id}/comments', '/consultations/{id}/comments/{cid}', '/consultations/{id}/sign-off',
    '/consultations/{id}/held-replies']) {
    t.ok(checked.includes(`GET ${expected}`), `${expected} was walked`);
  }
  t.ok(checked.includes('GET /consultations/{id}/comments (CSV)'));
  t.comment(`walked: ${checked.join(', ')}`);
});

t.test('the raw history is the record as stored: no local times there', async (t) => {
  const api = await startApi(t);
  const { id } = await ok(api, { url: '/consultations', body: { title: 'NAP', leadOrganisation: 'Office', languages: ['en'], timeZone: TZ } }) as { id: string };
  const history = (await api.call({ url: `/consultations/${id}/events` })).json();
  t.notOk('timeZone' in history);
  t.notOk(JSON.stringify(history).includes('Local"'));
});

t.test('a time without an offset is refused with a message that says an offset or Z is required', async (t) => {
  const api = await startApi(t);
  const { id } = await ok(api, { url: '/consultations', body: { title: 'NAP', leadOrganisation: 'Office', languages: ['en'], timeZone: TZ } }) as { id: string };
  const res = await api.call({ url: `/consultations/${id}/drafts`, body: { sections: [{ key: 's1', heading: 'H', text: '' }], commentDeadline: '2099-03-06T17:00:00' } });
  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'INVALID_INPUT');
  t.equal(res.json().errors[0].path, 'body.commentDeadline');
  t.match(res.json().errors[0].message, /an offset or Z is required/);
  t.match(res.json().errors[0].message, /2027-03-06T17:00:00\+01:00/, 'with an example');
});
