// The new text of real-shaped replies from Gmail, Outlook and Apple Mail in English, Romanian and
// Dutch (test/inbound/fixtures/*.eml), and the blocks it is split into.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseMail } from '../../src/inbound/parse.ts';
import { messageText, newText } from '../../src/inbound/reply-text.ts';
import { splitBlocks, type Block } from '../../src/inbound/sections.ts';

async function read(name: string): Promise<{ text: string; blocks: Block[] }> {
  const parsed = await parseMail(readFileSync(new URL(`./fixtures/${name}.eml`, import.meta.url)));
  const text = newText(messageText(parsed));
  return { text, blocks: splitBlocks(text) };
}

const whole = (text: string): Block => ({ section: null, text });

const EXPECTED: Record<string, { text: string; blocks: Block[] }> = {
  'gmail-en': {
    text: 'Thank you for the invitation. We will take part.\n\nWe suggest that the plan names a budget line for each action.',
    blocks: [whole('Thank you for the invitation. We will take part.\n\nWe suggest that the plan names a budget line for each action.')],
  },
  'gmail-ro': {
    text: 'Bună ziua,\n\nAvem două observații.\n\nSecțiunea 2: Propunem să fie menționate explicit organizațiile de femei\ndin mediul rural.\nSectiunea 3: De acord.',
    blocks: [whole('Bună ziua,\n\nAvem două observații.'), { section: '2', text: 'Propunem să fie menționate explicit organizațiile de femei\ndin mediul rural.' }, { section: '3', text: 'De acord.' }],
  },
  'gmail-nl': {
    text: 'Wij doen graag mee.\n\nSectie 1: Graag ook aandacht voor vrouwelijke veteranen.',
    blocks: [whole('Wij doen graag mee.'), { section: '1', text: 'Graag ook aandacht voor vrouwelijke veteranen.' }],
  },
  'outlook-en': {
    text: 'Section 2: The indicators should be disaggregated by age as well as by sex.\n\nSection 4: Agreed.\n\nSam Okafor\nPolicy Lead, PeaceWomen UK',
    blocks: [{ section: '2', text: 'The indicators should be disaggregated by age as well as by sex.' }, { section: '4', text: 'Agreed.\n\nSam Okafor\nPolicy Lead, PeaceWomen UK' }],
  },
  'outlook-ro': { // HTML only: turned into text, the "De la:/Trimis:/Către:/Subiect:" block cut, "Cu stimă," and the name dropped
    text: 'Bună ziua,\n\nMinisterul Afacerilor Externe acceptă invitația și va trimite observațiile până la termen.',
    blocks: [whole('Bună ziua,\n\nMinisterul Afacerilor Externe acceptă invitația și va trimite observațiile până la termen.')],
  },
  'outlook-nl': { // no marker: the "Van:/Verzonden:" block cut
    text: 'Artikel 3: De paragraaf over ontwapening kan korter.',
    blocks: [{ section: '3', text: 'De paragraaf over ontwapening kan korter.' }],
  },
  'apple-en': { // "Section 2:" inside a line starts no block
    text: 'Yes, we accept. Section 2: please add a reference to UNSCR 2467.',
    blocks: [whole('Yes, we accept. Section 2: please add a reference to UNSCR 2467.')],
  },
  'apple-ro': { // "Trimis de pe iPhone-ul meu", then "Pe … a scris:" without a marker
    text: 'Vă mulțumim, vom trimite observațiile săptămâna viitoare.',
    blocks: [whole('Vă mulțumim, vom trimite observațiile săptămâna viitoare.')],
  },
  'apple-nl': { // "Op … heeft … het volgende geschreven:", "Verzonden vanaf mijn iPhone", "Groet,"
    text: 'Artikel 2: Eens.\nArtikel 5: Noem ook de rol van lokale vredesinitiatieven.',
    blocks: [{ section: '2', text: 'Eens.' }, { section: '5', text: 'Noem ook de rol van lokale vredesinitiatieven.' }],
  },
};

for (const [name, expected] of Object.entries(EXPECTED)) {
  t.test(`${name}: exactly the new text, and its blocks`, async (t) => {
    t.same(await read(name), expected);
  });
}

t.test('the pre-pass: Dutch and Romanian headers the library misses, Outlook blocks, mobile sign-offs', async (t) => {
  const cases: [string, string][] = [
    ['Akkoord.\n\nOp 2 mrt. 2027, om 10:15 heeft Gender Office <x@gov.example> het volgende\ngeschreven:\n\nGeachte heer,', 'Akkoord.'],
    ['Akkoord.\n\nOp di 2 mrt 2027 om 10:15 schreef Gender Office <x@gov.example>:\n> tekst', 'Akkoord.'],
    ['De acord.\n\nÎn mar., 2 mar. 2027 la 10:15, Gender Office <x@gov.example> a scris:\n> text', 'De acord.'],
    ['De acord.\n\nIn mar., 2 mar. 2027 la 10:15, Gender Office <x@gov.example> a scris:\n> text', 'De acord.'],
    ['De acord.\n\nPe 2 mar. 2027, la 10:15, Gender Office <x@gov.example> a scris:\n\n> text', 'De acord.'],
    ['De acord.\n\nDe la: Gender Office <x@gov.example>\nTrimis: marți, 2 martie 2027 10:15\nCătre: Ana\nSubiect: Invitație\n\nStimată doamnă,', 'De acord.'],
    ['Eens.\n\n________________________________\nVan: Gender Office <x@gov.example>\nVerzonden: dinsdag 2 maart 2027 10:15\nAan: Jan\nOnderwerp: Uitnodiging\n\nGeachte heer,', 'Eens.'],
    ['Eens.\n\nVerzonden vanaf mijn iPhone', 'Eens.'],
    ['Agreed.\n\nSent from my iPhone\n\n> On 2 Mar 2027, at 10:15, X <x@gov.example> wrote:', 'Agreed.'],
    ['De acord.\n\nTrimis de pe iPhone-ul meu', 'De acord.'],
    ['Met vriendelijke groet, schreef ze, is te formeel.\nDe la: nu af aan anders.', 'Met vriendelijke groet, schreef ze, is te formeel.\nDe la: nu af aan anders.'],
  ];
  for (const [text, expected] of cases) t.equal(newText(text), expected, JSON.stringify(text.slice(0, 40)));
});

t.test('the marker: only what stands above it, in any of the three languages, also quoted', async (t) => {
  t.equal(newText('Yes.\n> -- Please write your reply above this line --\n> Dear X,'), 'Yes.');
  t.equal(newText('Da.\n\n-- Vă rugăm să scrieți răspunsul deasupra acestei linii --\nStimată doamnă,'), 'Da.');
  t.equal(newText('Ja.\r\n\r\n>> -- Schrijf uw antwoord boven deze regel --\r\nGeachte heer,'), 'Ja.');
  t.equal(newText('> -- Please write your reply above this line --\n> Dear X,'), '', 'nothing above it: no new text');
});

t.test('HTML only: turned into text without the links\' addresses', async (t) => {
  t.equal(messageText({ html: '<p>We agree with <a href="https://example.org/x">the draft</a>.</p><p>Thanks</p>' }), 'We agree with the draft.\n\nThanks');
  t.equal(messageText({ text: 'plain', html: '<p>html</p>' }), 'plain');
  t.equal(messageText({}), '');
});

t.test('section lines: the words, with and without diacritics, the rest of the line its first text', async (t) => {
  t.same(splitBlocks('Section 3:\nA\nSECȚIUNEA s2: B\nSecţiunea 4 : C\nsectiunea 5:\nartikel 6: D\nSectie 7:E'), [
    { section: '3', text: 'A' }, { section: 's2', text: 'B' }, { section: '4', text: 'C' }, { section: '5', text: '' }, { section: '6', text: 'D' }, { section: '7', text: 'E' },
  ]);
  t.same(splitBlocks(''), []);
  t.same(splitBlocks('In section 3: no.'), [whole('In section 3: no.')]);
  const many = Array.from({ length: 101 }, (_, i) => `Section ${i + 1}: x`).join('\n');
  t.same(splitBlocks(many), [whole(many)], 'more blocks than a reply takes: one block');
});
