// The reply page through app.inject(), as a browser without JavaScript uses it: every form (POST,
// then 303 to the page), a double submit recording once, the CSRF token required, the token's
// scope (never another stakeholder or consultation), expiry, revocation on removal, read-only
// after closing, the distinct pages of expired, revoked and tampered links, the headers.
import t, { type Test } from 'tap';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { contactIdsThroughApi, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { linkToken, PageSession, textOf } from '../helpers/reply-page.ts';

t.setTimeout(120_000);

const CSO = {
  organisation: 'Asociația Femeilor pentru Pace', kind: 'civil-society', language: 'ro', endorser: false,
  contacts: [{ name: 'Ioana Marin', email: 'ioana@afp.example' }, { name: 'Elena Dobre', email: 'elena@afp.example' }],
};
const MINISTRY = {
  organisation: 'Ministry of Foreign Affairs', kind: 'ministry', language: 'en', endorser: true,
  contacts: [{ name: 'Ana Popescu', email: 'ana.popescu@mae.example' }],
};

async function setUp(t: Test, options: { clock?: () => Date; pageRateLimit?: { max: number; timeWindowMs: number } } = {}) {
  const api = await startApi(t, options);
  const id = await openConsultation(api);
  const cso = await inviteThroughApi(api, id, CSO);
  const ministry = await inviteThroughApi(api, id, MINISTRY);
  const [ioanaId, elenaId] = await contactIdsThroughApi(api, id, cso, 'ioana@afp.example', 'elena@afp.example');
  const [anaId] = await contactIdsThroughApi(api, id, ministry, 'ana.popescu@mae.example');
  const contactIds = { ioana: ioanaId, elena: elenaId, ana: anaId };
  const ioana = await linkToken(id, cso, ioanaId);
  const elena = await linkToken(id, cso, elenaId);
  const ana = await linkToken(id, ministry, anaId);
  const events = async (type?: string) => (await api.store.readStream(streamNameFor(id))).filter((e) => type === undefined || e.type === type);
  return { api, id, cso, ministry, ioana, elena, ana, contactIds, events, session: (token: string) => new PageSession(api.app, token) };
}

t.test('the page: in the stakeholder\'s language, the draft, the deadlines in the consultation\'s time zone; switchable', async (t) => {
  const { session, ioana } = await setUp(t);
  const page = session(ioana);
  const res = await page.open();
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(page.html, /<html lang="ro">/, 'Romanian: the stakeholder\'s language');
  const text = textOf(page.html);
  t.match(text, /Această pagină este pentru Ioana Marin, Asociația Femeilor pentru Pace/);
  t.match(text, /Proiectul, versiunea 1/);
  t.match(text, /Participation/, 'the section (no Romanian translation: shown in English, said so)');
  t.match(text, /nu a fost tradusă în Română; este afișată în English/);
  t.match(text, /Termen pentru comentarii .*30 iunie 2099.*17:00/, 'the deadline in Europe/Bucharest (17:00+03:00)');
  const en = await page.open('?lang=nl');
  t.equal(en.statusCode, 200);
  t.match(page.html, /<html lang="nl">/, 'switched to Dutch');
  t.match(textOf(page.html), /Deze pagina is voor Ioana Marin/);
  t.match(page.html, /<a href="\/r\/[^"]+\?lang=en" lang="en" hreflang="en">English<\/a>/, 'the switch links each language');
});

t.test('the headers: CSP without inline script or style, frame-ancestors none, no referrer, no caching', async (t) => {
  const { session, ioana } = await setUp(t);
  const res = await session(ioana).open();
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /default-src 'none'/);
  t.match(csp, /style-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.match(csp, /form-action 'self'/);
  t.notMatch(csp, /unsafe-inline/);
  t.notMatch(csp, /script-src/, 'no script allowed at all (default-src none)');
  t.equal(res.headers['referrer-policy'], 'no-referrer');
  t.equal(res.headers['x-frame-options'], 'DENY');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['cache-control'], 'no-store');
  t.notMatch(res.body, /<script|\sstyle="|\son[a-z]+="/i, 'no script, inline style or event handler in the page');
  const cookie = res.cookies.find((c) => c.name === 'reply-csrf');
  t.ok(cookie, 'the CSRF secret in a cookie');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Strict');
  t.equal(cookie?.path, '/r/');
  const tampered = await session('not-a-token').open();
  t.equal(tampered.headers['referrer-policy'], 'no-referrer', 'on refusal pages too');
  t.match(String(tampered.headers['content-security-policy']), /frame-ancestors 'none'/);
});

t.test('accept, comment on a section with proposed wording, see it with its reference; the coordinator\'s answer shows', async (t) => {
  const { api, id, session, ioana, contactIds, events, cso } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  const accepted = await page.submit('respond', {}, { response: 'accept' });
  t.equal(accepted.post.statusCode, 303, 'POST then redirect');
  t.match(String(accepted.post.headers.location), /^\/r\/[^?]+\?lang=en&done=accepted/);
  t.match(textOf(page.html), /Thank you: your organisation takes part/);
  t.match(textOf(page.html), /Your organisation has accepted the invitation/);
  t.equal((await events('InvitationAccepted')).length, 1);
  t.same((await events('InvitationAccepted'))[0]?.metadata['actor'], { role: 'stakeholder', id: cso }, 'the stakeholder acts, not a coordinator');

  const commented = await page.submit('comment', { section: 's2', text: 'Name the shelters.\nAnd fund them.', proposedText: 'Shelters in every county.' });
  t.equal(commented.post.statusCode, 303);
  t.match(textOf(page.html), /Your comment was recorded as C-1/);
  const [submitted] = await events('CommentSubmitted');
  t.match(submitted?.data, {
    stakeholderId: cso, contactId: contactIds.ioana, sectionKey: 's2', channel: 'link',
    text: 'Name the shelters.\nAnd fund them.', proposedText: 'Shelters in every county.', draftVersion: 1,
  });
  t.match(textOf(page.html), /C-1 On section s2: Protection \(version 1\)/);
  t.match(page.html, /Name the shelters\.<br>\nAnd fund them\./, 'its lines kept');
  t.match(textOf(page.html), /By Ioana Marin/);
  t.match(textOf(page.html), /Awaiting an answer/);

  const commentId = String(submitted?.data['commentId']);
  const answered = await api.call({ url: `/consultations/${id}/comments/${commentId}/answer`, body: { disposition: 'partially-accepted', response: 'Shelters are added to pillar 2.' } });
  t.equal(answered.statusCode, 200, answered.body);
  await page.open('?lang=en');
  t.match(textOf(page.html), /Answer: partially accepted/);
  t.match(textOf(page.html), /Shelters are added to pillar 2\./);
});

t.test('every contact comments under its own name; nobody\'s comment replaces another\'s', async (t) => {
  const { session, ioana, elena, contactIds, events, cso } = await setUp(t);
  const a = session(ioana);
  const b = session(elena);
  await a.open('?lang=en');
  await b.open('?lang=en');
  await a.submit('comment', { section: '', text: 'From Ioana' });
  await b.submit('comment', { section: 's1', text: 'From Elena' });
  const comments = await events('CommentSubmitted');
  t.same(comments.map((c) => [c.data['contactId'], c.data['text'], c.data['sectionKey']]), [
    [contactIds.ioana, 'From Ioana', null],
    [contactIds.elena, 'From Elena', 's1'],
  ]);
  const text = textOf(b.html);
  t.match(text, /C-1 On the whole draft .*By Ioana Marin/, 'the organisation\'s comments, each by its contact');
  t.match(text, /C-2 On section s1: Participation .*By Elena Dobre/);
});

t.test('a double submit records once: the form\'s command id', async (t) => {
  const { session, ioana, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  const form = page.form('comment');
  const fields = { ...form.fields, section: 's1', text: 'Once only' };
  const [first, second] = await Promise.all([page.post(form.action, fields), page.post(form.action, fields)]);
  t.equal(first.statusCode, 303);
  t.equal(second.statusCode, 303, 'the second answers as the first did');
  t.equal(first.headers.location, second.headers.location);
  const third = await page.post(form.action, fields);
  t.equal(third.headers.location, first.headers.location, 'and so does a later one (back, then send again)');
  t.equal((await events('CommentSubmitted')).length, 1, 'recorded once');
  await page.open(String(second.headers.location).replace(/^\/r\/[^?]+/, ''));
  t.match(textOf(page.html), /recorded as C-1/);
  t.not(page.form('comment').fields['commandId'], form.fields['commandId']);
});

t.test('CSRF: a form without its token, with another link\'s token or without the cookie is refused and records nothing', async (t) => {
  const { api, session, ioana, elena, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  const none = await page.submit('comment', { section: '', text: 'forged' }, { without: ['_csrf'] });
  t.equal(none.post.statusCode, 403);
  t.match(textOf(none.post.body), /The form had expired or was not sent from your page/);
  t.match(none.post.headers['content-type'], /^text\/html/);

  const other = session(elena);
  other.cookies = new Map(page.cookies); // the same browser: the same CSRF secret
  await other.open('?lang=en');
  const elenaCsrf = other.form('comment').fields['_csrf']!;
  await page.open('?lang=en');
  const crossed = await page.submit('comment', { section: '', text: 'forged', _csrf: elenaCsrf });
  t.equal(crossed.post.statusCode, 403, 'a token rendered for another link does not hold for this one');

  await page.open('?lang=en');
  const form = page.form('comment');
  const noCookie = await api.app.inject({
    method: 'POST', url: form.action, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...form.fields, section: '', text: 'forged' }).toString(),
  });
  t.equal(noCookie.statusCode, 403, 'without the cookie (a cross-site post carries none: SameSite=Strict)');
  t.equal((await events('CommentSubmitted')).length, 0, 'nothing recorded');
});

t.test('plain errors on the page: an empty comment keeps what was typed; a passed deadline; already recorded', async (t) => {
  let now = new Date('2027-03-01T10:00:00Z');
  const { api, id, session, ioana, ana, events } = await setUp(t, { clock: () => now });
  const page = session(ioana);
  await page.open('?lang=en');
  const empty = await page.submit('comment', { section: 's2', text: '   ', proposedText: 'Keep this wording' });
  t.equal(empty.post.statusCode, 422);
  t.match(textOf(page.html), /It was not recorded Please check the fields marked below/);
  t.match(page.html, /<p class="field-error" id="comment-text-error">Please fill this in\.<\/p>/);
  t.match(page.html, /aria-invalid="true" aria-describedby="comment-text-error"/);
  t.match(page.html, />Keep this wording<\/textarea>/, 'what was typed is kept');
  t.match(page.html, /<option value="s2" selected>/, 'and the section chosen');
  const retried = await page.submit('comment', { section: 's2', text: 'Now with text' });
  t.equal(retried.post.statusCode, 303, 'sent again with the same command id, it records');

  // the ministry: endorse, then the same again
  const requested = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-30T17:00:00+03:00' } });
  t.equal(requested.statusCode, 201, requested.body);
  const m = session(ana);
  await m.open();
  const fields = { signatoryName: 'Ana Popescu', signatoryTitle: 'Secretary of State' };
  t.equal((await m.submit('endorse', fields)).post.statusCode, 303);
  t.match(textOf(m.html), /Your endorsement was recorded/);
  t.equal((await m.submit('endorse', fields)).post.statusCode, 303);
  t.match(textOf(m.html), /This was recorded already: nothing changed/, 'already endorsed: said so');
  t.equal((await events('DraftEndorsed')).length, 1);

  now = new Date('2099-07-01T10:00:00Z'); // after the comment deadline, within the link's 30 days
  await page.open('?lang=en');
  const late = await page.submit('comment', { section: '', text: 'Too late' });
  t.equal(late.post.statusCode, 409);
  t.match(textOf(page.html), /The deadline for comments has passed, so the comment was not recorded/);
  t.match(page.html, />Too late<\/textarea>/);
  await page.open('?lang=ro');
  await page.submit('comment', { section: '', text: 'Prea târziu' });
  t.match(textOf(page.html), /Termenul pentru comentarii a trecut/, 'in the page\'s language');
  t.equal((await events('CommentSubmitted')).length, 1);
});

t.test('no further comments; endorse and withhold name the contact in the sign-off view', async (t) => {
  const { api, id, session, ioana, ana, contactIds, ministry, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  t.equal((await page.submit('review', {})).post.statusCode, 303);
  t.match(textOf(page.html), /You told us you have no further comments on version 1/);
  t.same((await events('ReviewCompleted')).map((e) => e.data), [{ stakeholderId: (await events('ReviewCompleted'))[0]!.data['stakeholderId'], draftVersion: 1 }]);
  t.throws(() => page.form('endorse'), 'no endorsement form for one that is not an endorser');

  await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-30T17:00:00+03:00' } });
  const m = session(ana);
  await m.open();
  t.match(textOf(m.html), /Endorsement of version 1 Your organisation has not decided yet/);
  t.match(textOf(m.html), /Endorsement due/);
  await m.submit('withhold', { reason: 'Budget line missing.' });
  t.match(textOf(m.html), /Endorsement withheld \(recorded by Ana Popescu, .*\): Budget line missing\./);
  await m.submit('endorse', { signatoryName: 'Ana Popescu', signatoryTitle: 'Secretary of State', statement: 'With the budget annex.' });
  t.match(textOf(m.html), /Endorsed by Ana Popescu, Secretary of State \(recorded by Ana Popescu/);
  const signOff = (await api.call({ url: `/consultations/${id}/sign-off` })).json();
  const endorser = signOff.endorsers.find((e: { stakeholderId: string }) => e.stakeholderId === ministry);
  t.equal(endorser.status, 'endorsed', 'the latest decision counts');
  t.equal(endorser.contactId, contactIds.ana, 'the sign-off view names the contact who made it');
  t.same(endorser.history.map((d: { status: string; contactId: string }) => [d.status, d.contactId]), [
    ['withheld', contactIds.ana], ['endorsed', contactIds.ana],
  ]);
  t.same(endorser.actor, { role: 'stakeholder', id: ministry });
});

t.test('token scope: a link acts for its own stakeholder and consultation only, whatever the form says', async (t) => {
  const { api, session, ioana, contactIds, cso, ministry, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  const sneaky = await page.submit('comment', { section: '', text: 'as someone else', stakeholderId: ministry });
  t.equal(sneaky.post.statusCode, 422, 'a field the form does not have is refused, not obeyed');
  const fine = await page.submit('comment', { section: '', text: 'as myself' });
  t.equal(fine.post.statusCode, 303);
  t.same((await events('CommentSubmitted')).map((e) => e.data['stakeholderId']), [cso]);

  // a token of another consultation, signed with our key, does not reach into this one
  const otherId = await openConsultation(api);
  const elsewhere = await linkToken(otherId, cso, contactIds.ioana);
  const res = await session(elsewhere).open();
  t.equal(res.statusCode, 403, 'the stakeholder is not in that consultation: revoked, not this consultation\'s page');
  t.notMatch(res.body, /Asociația Femeilor pentru Pace/);
});

t.test('removal revokes the link at once: a distinct page, with a way to ask the coordinator; the request is recorded once a day', async (t) => {
  const { api, id, session, ioana, contactIds, cso, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  const removed = await api.call({ method: 'DELETE', url: `/consultations/${id}/stakeholders/${cso}` });
  t.equal(removed.statusCode, 200, removed.body);
  const after = await page.submit('comment', { section: '', text: 'after removal' });
  t.equal(after.post.statusCode, 403);
  t.match(textOf(page.html), /This link no longer works/);
  t.equal((await events('CommentSubmitted')).length, 0);
  const res = await page.open('?lang=en');
  t.equal(res.statusCode, 403);
  const ask = await page.submit('new-link', {});
  t.equal(ask.post.statusCode, 303);
  t.match(textOf(page.html), /Your request was passed on to the coordinator/);
  await page.open('?lang=en');
  await page.submit('new-link', {});
  const requests = await events('NewLinkRequested');
  t.same(requests.map((e) => e.data), [{ stakeholderId: cso, contactId: contactIds.ioana, reason: 'revoked' }], 'once');
  const row = (await api.call({ url: `/consultations/${id}/stakeholders/${cso}` })).json();
  t.match(row.newLinkRequest, { contactId: contactIds.ioana, reason: 'revoked' }, 'the coordinator sees it');

  const reinstated = await api.call({ url: `/consultations/${id}/stakeholders/${cso}/reinstate`, body: {} });
  t.equal(reinstated.statusCode, 200, reinstated.body);
  t.equal((await page.open()).statusCode, 200, 'judged on the state now: reinstated, the same link works again');
});

t.test('a contact no longer of the stakeholder is revoked; expired after the last deadline; tampered: three distinct pages', async (t) => {
  let now = new Date('2027-03-01T10:00:00Z');
  const { api, id, session, ioana, elena, cso } = await setUp(t, { clock: () => now });
  const changed = await api.call({ method: 'PUT', url: `/consultations/${id}/stakeholders/${cso}/contacts`, body: { contacts: [CSO.contacts[0]] } });
  t.equal(changed.statusCode, 200, changed.body);
  const revoked = await session(elena).open();
  t.equal(revoked.statusCode, 403);
  t.match(textOf(revoked.body), /Acest link nu mai funcționează/, 'in the stakeholder\'s language');
  t.match(revoked.body, /action="\/r\/[^"]+\/new-link/);

  const tampered = await session(`${ioana.slice(0, -3)}abc`).open();
  t.equal(tampered.statusCode, 404);
  t.match(textOf(tampered.body), /This link is not valid/);
  t.notMatch(tampered.body, /new-link/, 'a tampered link gets advice only');
  t.match(textOf(tampered.body), /reply to the invitation e-mail/);

  now = new Date('2099-08-01T10:00:00Z'); // more than 30 days after the comment deadline (2099-06-30)
  const expired = await session(ioana).open('?lang=en');
  t.equal(expired.statusCode, 410);
  t.match(textOf(expired.body), /This link has expired/);
  t.match(expired.body, /new-link/, 'expired while the consultation is open: it may ask for a new link');
  t.notMatch(textOf(expired.body), /Asociația/, 'an expired page shows nothing of the consultation');
});

t.test('after closing: read-only, the outcome, the comments and their answers; no forms; a POST is refused', async (t) => {
  const { api, id, session, ioana, events } = await setUp(t);
  const page = session(ioana);
  await page.open('?lang=en');
  await page.submit('comment', { section: 's1', text: 'Before closing' });
  const [c] = await events('CommentSubmitted');
  await api.call({ url: `/consultations/${id}/comments/${c!.data['commentId']}/answer`, body: { disposition: 'noted', response: 'Thank you.' } });
  const form = page.form('comment');
  const closed = await api.call({ url: `/consultations/${id}/close`, body: { outcome: 'withdrawn' } });
  t.equal(closed.statusCode, 200, closed.body);
  await page.open('?lang=en');
  const text = textOf(page.html);
  t.match(text, /The consultation has closed The draft was withdrawn/);
  t.match(text, /You can read this page, with the answers to your comments, until/);
  t.match(text, /C-1 On section s1: Participation .*Before closing .*Answer: noted .*Thank you\./);
  t.notMatch(page.html, /<form method="post"/, 'no forms');
  const late = await page.post(form.action, { ...form.fields, section: '', text: 'after closing' }); // a form kept open from before
  t.equal(late.statusCode, 409);
  t.match(textOf(page.html), /This page can only be read now/);
  t.equal((await events('CommentSubmitted')).length, 1);
});

t.test('rate limit per link: one link over its limit is refused with a plain page, another link is not', async (t) => {
  const { session, ioana, elena } = await setUp(t, { pageRateLimit: { max: 3, timeWindowMs: 60_000 } });
  const page = session(ioana);
  for (let i = 0; i < 3; i++) t.equal((await page.open()).statusCode, 200);
  const over = await page.open();
  t.equal(over.statusCode, 429);
  t.match(over.headers['content-type'], /^text\/html/);
  t.match(textOf(over.body), /Too many requests from this link/);
  t.ok(over.headers['retry-after'], 'with Retry-After');
  t.equal((await session(elena).open()).statusCode, 200, 'another link has its own count');
  t.equal((await session(ioana).open('?lang=en')).statusCode, 429, 'the count is the link\'s, whatever the browser');
});
