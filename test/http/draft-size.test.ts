// The largest valid draft fits in one event that EventStoreDB accepts (its default maximum is
// 1 MiB; the budget is 900 KB), and the body limit admits it however its JSON is written.
// Built here at the limits: MAX_LANGUAGES languages, DRAFT_MAX_SECTIONS sections with 64-character
// keys, every section translated into every other language, the sections filling
// DRAFT_SECTIONS_MAX_BYTES, a note at its maximum length of 3-byte characters, the longest actor
// id and command id, and an open endorsement request, so the append carries a second event.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { commands } from '../../src/commands/index.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { storedSize } from '../../src/commands/publish-draft.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import {
  DRAFT_MAX_SECTIONS, DRAFT_SECTIONS_MAX_BYTES, MAX_LANGUAGES, SECTION_TEXT_MAX_LENGTH, type Section,
} from '../../src/domain/schemas.ts';
import { DRAFT_BODY_LIMIT } from '../../src/http/routes/drafts.ts';
import { startApi } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';

const BUDGET = 900_000;
const LANGUAGES = ['nl', 'en', 'fy', 'de', 'fr', 'pap'];
const NOTE_MAX_LENGTH = 2_000;
const DEADLINE = '2099-06-30T17:00:00+02:00';

/** `ș` is 2 bytes in UTF-8 and 6 as `\u0219`: the worst case for a body whose JSON escapes non-ASCII */
function largestSections(filler = 'ș'): Section[] {
  const sections: Section[] = Array.from({ length: DRAFT_MAX_SECTIONS }, (_, i) => ({
    key: `section-${String(i).padStart(3, '0')}-`.padEnd(64, 'k'),
    heading: 'H',
    text: '',
    translations: Object.fromEntries(LANGUAGES.slice(1).map((l) => [l, { heading: 'H', text: '' }])),
  }));
  const texts: Array<{ text: string }> = sections.flatMap((s) => [s, ...Object.values(s.translations!)]);
  const fillerBytes = Buffer.byteLength(filler);
  let room = DRAFT_SECTIONS_MAX_BYTES - storedSize(sections);
  const each = Math.floor(room / fillerBytes / texts.length);
  for (const x of texts) x.text = filler.repeat(each);
  room = DRAFT_SECTIONS_MAX_BYTES - storedSize(sections);
  for (let i = 0; room > 0; i++, room = DRAFT_SECTIONS_MAX_BYTES - storedSize(sections)) {
    texts[i % texts.length]!.text += room >= fillerBytes ? filler.repeat(Math.min(Math.floor(room / fillerBytes), 1000)) : 'a'.repeat(room);
  }
  return sections;
}

/** JSON as a client that escapes every non-ASCII character writes it (Python's json.dumps by default) */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sections = largestSections();
const body = { sections, commentDeadline: DEADLINE, note: '€'.repeat(NOTE_MAX_LENGTH) };

t.test('the largest valid draft is valid: at every limit at once', async (t) => {
  t.equal(storedSize(sections), DRAFT_SECTIONS_MAX_BYTES, 'the sections fill the byte limit exactly');
  t.equal(LANGUAGES.length, MAX_LANGUAGES);
  t.ok(sections.every((s) => s.text.length <= SECTION_TEXT_MAX_LENGTH));
  t.ok(commands.publishDraft.schema.safeParse(body).success);
  const over = structuredClone(sections);
  over[0]!.text += 'a';
  t.notOk(commands.publishDraft.schema.safeParse({ ...body, sections: over }).success, 'one byte more is refused');
});

t.test('its DraftPublished event, as stored, with the append\'s other event, stays under 900 KB', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const consultationId = randomUUID();
  const actor = { role: 'coordinator', id: '€'.repeat(200) } as const; // the longest actor id, 3 bytes a character
  const run = (command: Parameters<typeof handler.execute>[0], input: unknown, commandId: string = randomUUID()) =>
    handler.execute(command, { consultationId, commandId, actor, input });
  await run(commands.openConsultation, { title: 'NAP', leadOrganisation: 'Gender Office', languages: LANGUAGES, timeZone: 'Europe/Amsterdam' });
  await run(commands.publishDraft, { sections: [{ key: 's1', heading: 'H', text: '' }], commentDeadline: DEADLINE });
  await run(commands.requestEndorsement, { draftVersion: 1, deadline: DEADLINE });
  const result = await run(commands.publishDraft, body, 'k'.repeat(200));
  t.strictSame(result.events.map((e) => e.type), ['DraftPublished', 'EndorsementRequestCancelled'], 'one append, two events');
  const stored = (await store.readStream(streamNameFor(consultationId))).filter((e) => e.revision >= result.events[0]!.revision);
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const sizes = stored.map((e) => bytes(JSON.stringify(e.data)) + bytes(JSON.stringify(e.metadata)) + bytes(e.type) + bytes(e.streamName) + bytes(e.id));
  const total = sizes.reduce((a, b) => a + b, 0);
  t.comment(`largest draft: ${sizes.join(' + ')} = ${total} bytes as stored`);
  t.ok(total < BUDGET, `${total} bytes < ${BUDGET}`);
  t.ok(total < 1_048_576, 'under EventStoreDB\'s default maximum');
});

t.test('the body limit admits the largest valid draft however its JSON is written, and only the draft route has it', async (t) => {
  const api = await startApi(t);
  const opened = await api.call({ url: '/consultations', body: { title: 'NAP', leadOrganisation: 'Gender Office', languages: LANGUAGES, timeZone: 'Europe/Amsterdam' } });
  const id = opened.json().id as string;
  const ascii = asciiJson(body);
  t.ok(ascii.length > 1_048_576, 'escaped, the draft is larger than the server\'s 1 MiB');
  t.ok(ascii.length <= DRAFT_BODY_LIMIT, `${ascii.length} bytes <= ${DRAFT_BODY_LIMIT}`);
  t.ok(DRAFT_BODY_LIMIT >= 3 * DRAFT_SECTIONS_MAX_BYTES + 6 * NOTE_MAX_LENGTH + 1024, 'three bytes sent for each stored, at most');
  const published = await api.call({ url: `/consultations/${id}/drafts`, payload: ascii, headers: { 'content-type': 'application/json' } });
  t.equal(published.statusCode, 201, published.body.slice(0, 300));
  const read = await api.call({ url: `/consultations/${id}/drafts/1?lang=pap` });
  t.equal(read.json().sections[199].text, sections[199]!.translations!['pap']!.text);

  const over = structuredClone(body);
  over.sections[0]!.text += 'a';
  const refused = await api.call({ url: `/consultations/${id}/drafts`, body: over });
  t.equal(refused.statusCode, 400);
  t.equal(refused.json().code, 'INVALID_INPUT');
  t.strictSame(refused.json().errors.map((e: { path: string }) => e.path), ['body.sections']);
  t.match(refused.json().errors[0].message, `at most ${DRAFT_SECTIONS_MAX_BYTES}`);

  const huge = await api.call({ url: `/consultations/${id}/drafts`, payload: JSON.stringify({ ...body, note: ' '.repeat(DRAFT_BODY_LIMIT) }), headers: { 'content-type': 'application/json' } });
  t.equal(huge.statusCode, 413);
  t.equal(huge.json().code, 'BODY_TOO_LARGE');
  const elsewhere = await api.call({ url: `/consultations/${id}/comments`, payload: JSON.stringify({ text: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } });
  t.equal(elsewhere.statusCode, 413, 'other routes keep the server\'s 1 MiB');
});
