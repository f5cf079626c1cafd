// The messages as stakeholders read them: every kind in English, Romanian and Dutch, in the
// recipient's language with the consultation's time zone, opening with the reply marker, with the
// personal link; what an organisation calls itself escaped in HTML and left as text in text.
import t from 'tap';
import { chooseLanguage, formatDeadline, plural } from '../../src/mail/language.ts';
import { ALL_REPLY_MARKERS, REPLY_MARKERS } from '../../src/mail/markers.ts';
import { renderMessage, renderOfficeDigest, TEMPLATE_KINDS } from '../../src/mail/render.ts';
import { DEADLINE, EVERY_KIND, HOSTILE, common } from './fixtures.ts';

const DEADLINE_AS_WRITTEN = {
  en: 'Thursday, 1 April 2027 at 17:00 EEST',
  ro: 'joi, 1 aprilie 2027 la 17:00 EEST',
  nl: 'donderdag 1 april 2027 om 17:00 EEST',
} as const;

t.test('every kind, in each language: the marker first, the title, the version, what is asked, the deadline and the link', async (t) => {
  t.same([...new Set(EVERY_KIND.map((k) => k.kind))].sort(), [...TEMPLATE_KINDS].sort(), 'the fixtures cover every kind');
  for (const language of ['en', 'ro', 'nl'] as const) {
    for (const facts of EVERY_KIND) {
      const m = renderMessage({ ...common(language), ...facts });
      const name = `${language} ${facts.kind}${'phase' in facts ? ` (${facts.phase})` : ''}`;
      t.equal(m.language, language, name);
      t.equal(m.text.split('\n')[0], REPLY_MARKERS[language], `${name}: the text opens with the marker`);
      t.match(m.html, new RegExp(`<body[^>]*>\\s*<p[^>]*>${REPLY_MARKERS[language]}</p>`), `${name}: so does the HTML`);
      t.match(m.html, `<html lang="${language}">`);
      for (const body of [m.text, m.html]) {
        t.match(body, 'Third National Action Plan on Women, Peace and Security', `${name}: the title`);
        t.match(body, 'https://consult.example.org/r/eyJhbGciOiJIUzI1NiJ9.e30.sig', `${name}: the personal link`);
        t.match(body, 'Ministry of Defence, Gender Office');
      }
      if (facts.kind !== 'answers-digest') t.match(m.text, /: 2\n/, `${name}: the draft version`);
      if ('deadline' in facts && facts.kind !== 'acknowledgement') t.match(m.text, DEADLINE_AS_WRITTEN[language], `${name}: the deadline in ${language}, Bucharest time`);
      t.notMatch(m.subject, /[\r\n]/);
      t.ok(m.subject.length > 10);
    }
  }
});

t.test('what is asked, per kind, in the recipient\'s words', async (t) => {
  const text = (language: string, i: number) => renderMessage({ ...common(language), ...EVERY_KIND[i]! }).text;
  t.match(text('en', 0), 'What is asked: Your comments on draft version 2');
  t.match(text('ro', 2), 'Ce vi se solicită: Avizarea versiunii 2 a proiectului');
  t.match(text('nl', 4), 'Wat er gevraagd wordt: Uw instemming met versie 2 van het ontwerp');
  t.match(text('en', 3), /A message from the coordinators:\n {2}Please look at section 3 in particular\./, 'the coordinators\' own message');
  t.match(text('en', 5), /Your comments:\n {2}- C-3\n {2}- C-4\n {2}- C-7/, 'the acknowledgement lists the references');
  t.match(renderMessage({ ...common('en'), ...EVERY_KIND[5]! }).subject, 'Comments received (C-3, C-4, C-7)');
  t.match(text('ro', 7), 'C-4: acceptat parțial');
  t.match(text('nl', 6), 'versie 2 van het plan is vastgesteld');
  t.match(text('en', 6), 'Your page stays open for reading until 30 Aug 2027');
  const before = renderMessage({ ...common('en'), kind: 'invitation', draftVersion: null, deadline: null });
  t.match(before.text, 'What is asked: Nothing yet');
  t.notMatch(before.text, /Deadline|Draft version/, 'no version or deadline before the first draft');
  const endorser = renderMessage({ ...common('en'), kind: 'invitation', draftVersion: 2, deadline: DEADLINE, endorsement: { draftVersion: 2, deadline: '2027-05-01T15:00:00Z' } });
  t.match(endorser.text, /Your endorsement of draft version 2[^\n]*\nDeadline: Saturday, 1 May 2027 at 18:00 EEST/);
});

t.test('the language: the stakeholder\'s if ours, else the consultation\'s first, else English; its own locale for dates', async (t) => {
  t.strictSame(chooseLanguage('ro', ['en']), { language: 'ro', locale: 'ro-RO' });
  t.strictSame(chooseLanguage('nl-BE', ['en']), { language: 'nl', locale: 'nl-BE' });
  t.strictSame(chooseLanguage('de', ['nl', 'en']), { language: 'nl', locale: 'nl-NL' });
  t.strictSame(chooseLanguage('fr', ['fr', 'ro']), { language: 'en', locale: 'en-GB' }, 'only the first language counts');
  t.strictSame(chooseLanguage('EN-us', []), { language: 'en', locale: 'en-US' });
  t.strictSame(chooseLanguage('en-x-invalid-', []), { language: 'en', locale: 'en-GB' }, 'a tag Intl refuses: the language\'s default');
  t.equal(renderMessage({ ...common('de'), ...EVERY_KIND[0]! }).language, 'ro', 'this consultation\'s first language is Romanian');
  t.equal(formatDeadline(DEADLINE, 'en-GB', 'America/New_York'), 'Thursday, 1 April 2027 at 10:00 GMT-4', 'the consultation\'s time zone, whatever the server\'s');
});

t.test('counts: "3 of your comments were answered", Romanian one/few/other', async (t) => {
  const digest = (language: string, n: number) => renderMessage({
    ...common(language), kind: 'answers-digest', answered: Array.from({ length: n }, (_, i) => ({ ref: `C-${i + 1}`, disposition: 'noted' as const })),
  });
  t.match(digest('en', 3).subject, /^3 of your comments were answered: /);
  t.match(digest('en', 1).subject, /^1 of your comments was answered: /);
  t.match(digest('ro', 1).subject, /^1 comentariu al dumneavoastră a primit răspuns: /);
  t.match(digest('ro', 3).subject, /^3 comentarii ale dumneavoastră au primit răspuns: /);
  t.match(digest('ro', 19).subject, /^19 comentarii ale/);
  t.match(digest('ro', 20).subject, /^20 de comentarii ale dumneavoastră au primit răspuns: /);
  t.match(digest('ro', 102).subject, /^102 comentarii ale/, '102 is "few" again in Romanian');
  t.match(digest('nl', 1).subject, /^1 van uw opmerkingen is beantwoord: /);
  t.match(digest('nl', 3).subject, /^3 van uw opmerkingen zijn beantwoord: /);
  t.equal(plural('ro', 1000, { one: '# comentariu', few: '# comentarii', other: '# de comentarii' }), '1.000 de comentarii', 'the number as the locale writes it');
  const ack = (language: string, n: number) => renderMessage({ ...common(language), kind: 'acknowledgement', draftVersion: 1, commentRefs: Array.from({ length: n }, (_, i) => `C-${i + 1}`) }).text;
  t.match(ack('ro', 1), 'am primit 1 comentariu de la');
  t.match(ack('ro', 2), 'am primit 2 comentarii de la');
  t.match(ack('ro', 25), 'am primit 25 de comentarii de la');
  t.match(ack('en', 1), 'received 1 comment from');
});

t.test('a hostile organisation name and title are escaped in HTML, kept as text in the text part', async (t) => {
  for (const language of ['en', 'ro', 'nl']) {
    for (const facts of EVERY_KIND) {
      const m = renderMessage({
        ...common(language, {
          consultation: { title: `Plan </title><img src=x onerror=alert(1)>`, leadOrganisation: HOSTILE, languages: ['en'], timeZone: 'Europe/Bucharest' },
          stakeholder: { organisation: HOSTILE, language },
          contact: { name: '<b>Eve</b>' },
        }),
        ...facts,
        ...('note' in facts ? { note: '<iframe src="https://evil.example">' } : {}),
      });
      const name = `${language} ${facts.kind}`;
      t.notMatch(m.html, /<script|<img|<iframe|<b>Eve/, `${name}: no markup of theirs in the HTML`);
      t.match(m.html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co', `${name}: escaped`);
      t.match(m.text, HOSTILE, `${name}: as written in the text part`);
    }
  }
});

t.test('control characters in stored text never reach a subject or a name on one line', async (t) => {
  const m = renderMessage({
    ...common('en', { consultation: { title: 'Plan\r\nBcc: evil@x.example', leadOrganisation: 'Office', languages: ['en'], timeZone: 'UTC' }, contact: { name: 'Eve\r\nBcc: x' } }),
    ...EVERY_KIND[0]!,
  });
  t.equal(m.subject, 'Invitation: Plan Bcc: evil@x.example');
  t.match(m.text, 'Dear Eve Bcc: x,');
});

t.test('the markers are exported for the inbound parser: one per language, each distinct', async (t) => {
  t.equal(ALL_REPLY_MARKERS.length, 3);
  t.equal(new Set(ALL_REPLY_MARKERS).size, 3);
  for (const marker of ALL_REPLY_MARKERS) t.match(marker, /^-- .+ --$/);
});

t.test('the office digest: in the consultation\'s first language, a counted section of delivery failures, each line escaped in HTML', async (t) => {
  const failure = (organisation: string, email: string, error: string) => ({
    organisation, contact: { name: 'Ioana Marin', email }, messageKind: 'invitation' as const, failedAt: '2027-04-01T14:05:00Z', error,
  });
  const sections = [{ kind: 'delivery-failures' as const, items: [failure(HOSTILE, 'ioana@wpn.example', '550 5.1.1 No such mailbox'), failure('Institute', 'p@acad.example', '554 rejected')] }];
  const at = (languages: string[]) => renderOfficeDigest({
    consultation: { ...common('en').consultation, languages }, from: '2027-03-31T21:00:00.000Z', until: '2027-04-01T21:00:00.000Z', sections,
  });
  const ro = at(['ro', 'en']);
  t.equal(ro.language, 'ro', 'the consultation\'s first language');
  t.equal(ro.subject, 'Raport zilnic (1 apr. 2027): Third National Action Plan on Women, Peace and Security', 'the period\'s day in Bucharest time');
  t.match(ro.text, '2 mesaje nu au putut fi livrate:', 'Romanian plural (few)');
  t.match(ro.text, `  - ${HOSTILE}, Ioana Marin <ioana@wpn.example>: invitație, 1 apr. 2027, 17:05 EEST: 550 5.1.1 No such mailbox`);
  t.equal(ro.text.split('\n')[0], REPLY_MARKERS.ro);
  t.notMatch(ro.html, /<script>|<ioana@/, 'escaped in HTML');
  t.match(ro.html, '&lt;script&gt;');
  t.notMatch(ro.text, /\/r\//, 'no personal link');
  const en = at(['en']);
  t.match(en.text, '2 messages could not be delivered:');
  t.match(en.subject, /^Daily report \(1 Apr 2027\): /);
  const nl = at(['nl', 'en']);
  t.match(nl.text, '2 berichten konden niet worden bezorgd:');
  const one = renderOfficeDigest({ consultation: common('en').consultation, from: '2027-03-31T21:00:00.000Z', until: '2027-04-01T21:00:00.000Z', sections: [{ kind: 'delivery-failures', items: [sections[0]!.items[1]!] }] });
  t.match(one.text, '1 mesaj nu a putut fi livrat:', 'one');
  t.match(at(['fr', 'ro']).language, 'en', 'a first language without templates: English');
});

t.test('the office digest\'s held replies: counted, each with its organisation, when received and why in words, then where to decide them; after the failures', async (t) => {
  const held = (organisation: string, reasons: ('SENDER_NOT_ALLOWED' | 'AFTER_DEADLINE' | 'EMPTY')[]) => ({ organisation, receivedAt: '2027-04-01T08:30:00Z', reasons });
  const review = '/consultations/0b5c7a8e-1d2f-4a3b-9c4d-5e6f7a8b9c0d/held-replies';
  const failures = { kind: 'delivery-failures' as const, items: [{ organisation: 'Institute', contact: { name: 'P', email: 'p@acad.example' }, messageKind: 'invitation' as const, failedAt: '2027-04-01T14:05:00Z', error: '554 rejected' }] };
  const at = (languages: string[], items: ReturnType<typeof held>[]) => renderOfficeDigest({
    consultation: { ...common('en').consultation, languages }, from: '2027-03-31T21:00:00.000Z', until: '2027-04-01T21:00:00.000Z',
    sections: [failures, { kind: 'held-replies', items, review }],
  });
  const two = [held(HOSTILE, ['SENDER_NOT_ALLOWED', 'AFTER_DEADLINE']), held('Women Mediators Network', ['EMPTY'])];
  const en = at(['en'], two);
  t.match(en.text, [
    '1 message could not be delivered:',
    '  - Institute, P <p@acad.example>: invitation, 1 Apr 2027, 17:05 EEST: 554 rejected',
    '',
    '2 replies by e-mail are held for you to accept or discard:',
    `  - ${HOSTILE}, received 1 Apr 2027, 11:30 EEST: the sender is not one of the organisation's contacts, nor in a domain listed for it; received after the comment deadline`,
    '  - Women Mediators Network, received 1 Apr 2027, 11:30 EEST: it has no new text',
    `To read them and accept or discard each: GET ${review}`,
  ].join('\n'), 'the failures first, then the held replies and where to decide them');
  t.notMatch(en.html, /<script>/, 'escaped in HTML');
  t.match(en.html, `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co, received`);
  t.match(en.html, `<p style="margin-top:0;">To read them and accept or discard each: GET ${review}</p>`);
  const ro = at(['ro'], two);
  t.match(ro.text, '2 răspunsuri prin e-mail sunt reținute, pentru a fi acceptate sau respinse:', 'Romanian plural (few)');
  t.match(ro.text, 'Women Mediators Network, primit 1 apr. 2027, 11:30 EEST: nu are text nou');
  t.match(ro.text, `Pentru a le citi și a accepta sau respinge fiecare: GET ${review}`);
  t.match(at(['ro'], [two[1]!]).text, '1 răspuns prin e-mail este reținut, pentru a fi acceptat sau respins:', 'one');
  const nl = at(['nl'], two);
  t.match(nl.text, '2 antwoorden per e-mail zijn aangehouden; u kunt ze aanvaarden of verwerpen:');
  t.match(nl.text, 'ontvangen na de termijn voor opmerkingen');
  t.match(nl.text, `Om ze te lezen en elk te aanvaarden of te verwerpen: GET ${review}`);
  for (const m of [en, ro, nl]) t.notMatch(m.text + m.html, /\/r\//, 'no personal link');
});
