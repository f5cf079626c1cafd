// One text vocabulary for every command's input: CRLF and CR become LF first; single-line fields
// allow no control character at all, multi-line ones newline and tab only; neither allows a lone
// surrogate or a bidirectional override. Every object is strict: an unknown field is refused.
import t from 'tap';
import { commands } from '../../src/commands/index.ts';
import { Actor, MultiLine, SingleLine } from '../../src/domain/schemas.ts';

const single = SingleLine(50);
const multi = MultiLine(50);
const BAD = {
  'NUL': 'a\u0000b', 'BEL': 'a\u0007b', 'ESC': 'a\u001Bb', 'DEL': 'a\u007Fb', 'C1 NEL': 'a\u0085b', 'line separator': 'a\u2028b',
  'RLO U+202E': 'abc\u202Edef', 'LRE U+202A': '\u202Aabc', 'FSI U+2068': 'a\u2068b', 'PDI U+2069': 'a\u2069b',
  'lone high surrogate': 'a\uD800b', 'lone low surrogate': 'a\uDC00b', 'reversed pair': '\uDC00\uD800',
};

t.test('both kinds refuse other controls, bidi overrides and lone surrogates', async (t) => {
  for (const [what, text] of Object.entries(BAD)) {
    t.notOk(single.safeParse(text).success, `single-line: ${what}`);
    t.notOk(multi.safeParse(text).success, `multi-line: ${what}`);
  }
  t.match(single.safeParse('a\uD800').error?.issues[0]?.message, /lone UTF-16 surrogate/);
  t.match(single.safeParse('a\u202E').error?.issues[0]?.message, /bidirectional/);
});

t.test('a paired surrogate (an emoji), accents and right-to-left script are fine', async (t) => {
  for (const text of ['Mulțumesc 🙏', 'Ça va', 'منظمة النساء', 'שלום', 'Ελληνικά']) {
    t.equal(single.parse(text), text);
    t.equal(multi.parse(text), text);
  }
});

t.test('single-line: no newline, tab or CR; multi-line: CRLF and CR become LF, tab stays', async (t) => {
  for (const text of ['a\nb', 'a\r\nb', 'a\rb', 'a\tb']) t.notOk(single.safeParse(text).success, JSON.stringify(text));
  t.match(single.safeParse('a\nb').error?.issues[0]?.message, /single line/);
  t.equal(multi.parse('one\r\ntwo\rthree\n\tfour'), 'one\ntwo\nthree\n\tfour');
});

t.test('both trim; empty is refused unless the field allows it; lengths count after normalising', async (t) => {
  t.equal(single.parse('  Gender Office  '), 'Gender Office');
  t.notOk(single.safeParse('   ').success);
  t.equal(MultiLine(10, 0).parse(''), '');
  t.equal(MultiLine(3).parse('a\r\nb'), 'a\nb', 'CRLF counts as one character');
  t.notOk(single.safeParse('x'.repeat(51)).success);
});

t.test('the commands use it: a title, an organisation, a contact and a signatory are single-line; reasons and texts multi-line', async (t) => {
  const open = { title: 'NAP', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'UTC' };
  t.notOk(commands.openConsultation.schema.safeParse({ ...open, title: 'NAP\r\nBcc: x@evil.example' }).success, 'a header injection in the title');
  t.notOk(commands.openConsultation.schema.safeParse({ ...open, leadOrganisation: 'Office\u202E' }).success);
  t.equal(commands.openConsultation.schema.parse({ ...open, summary: 'Line 1\r\nLine 2' }).summary, 'Line 1\nLine 2');
  const invite = { organisation: 'WPN', kind: 'civil-society', contacts: [{ name: 'Ana', email: 'a@wpn.example' }], language: 'en' };
  t.notOk(commands.inviteStakeholder.schema.safeParse({ ...invite, organisation: 'WPN\u0000' }).success);
  t.notOk(commands.inviteStakeholder.schema.safeParse({ ...invite, contacts: [{ name: 'Ana\nPopescu', email: 'a@wpn.example' }] }).success);
  const sid = '5c0f3a2e-0001-4000-8000-00000000c501';
  t.notOk(commands.endorseDraft.schema.safeParse({ stakeholderId: sid, draftVersion: 1, signatory: { name: 'Ana', title: 'State\rSecretary' } }).success);
  t.equal(commands.withholdEndorsement.schema.parse({ stakeholderId: sid, draftVersion: 1, reason: 'Budget\r\nnot agreed' }).reason, 'Budget\nnot agreed');
  t.notOk(commands.submitComment.schema.safeParse({ stakeholderId: sid, draftVersion: 1, text: 'x\uDBFF' }).success);
  t.notOk(commands.publishDraft.schema.safeParse({ sections: [{ key: 's1', heading: 'H\nI', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' }).success);
  t.ok(commands.publishDraft.schema.safeParse({ sections: [{ key: 's1', heading: 'H', text: 'a\n\tb' }], commentDeadline: '2099-01-01T00:00:00Z' }).success);
});

t.test('an actor id (a token\'s subject) is single-line, at most 200 characters', async (t) => {
  t.ok(Actor.safeParse({ role: 'coordinator', id: 'Ana Popescu' }).success);
  t.notOk(Actor.safeParse({ role: 'coordinator', id: 'Ana\r\nPopescu' }).success);
  t.notOk(Actor.safeParse({ role: 'coordinator', id: 'x'.repeat(201) }).success);
});

t.test('every command schema is strict: an unknown field is refused by name', async (t) => {
  const sid = '5c0f3a2e-0001-4000-8000-00000000c501';
  const result = commands.submitComment.schema.safeParse({ stakeholderId: sid, draftVersion: 1, section: 's1', text: 'x' });
  t.notOk(result.success, '`section` instead of `sectionKey`');
  t.match(result.error?.issues, [{ code: 'unrecognized_keys', keys: ['section'] }]);
  t.notOk(commands.inviteStakeholder.schema.safeParse({ organisation: 'X', kind: 'other', contacts: [{ name: 'A', email: 'a@x.example', phone: '1' }], language: 'en' }).success, 'nested objects too');
  t.notOk(commands.recordMessageSent.schema.safeParse({ kind: 'invitation', stakeholderId: sid, messageId: 'm', sentAt: '2027-01-01T00:00:00Z', extra: 1 }).success, 'each branch of a union');
});
