// The stakeholder's link token and reply/bounce address tokens: round trips, tampering, the keys
// kept apart from coordinator tokens, and what a token allows judged against the state.
import t from 'tap';
import { base32Decode, base32Encode } from '../../src/auth/base32.ts';
import { deriveKey } from '../../src/auth/keys.ts';
import {
  MAX_LOCAL_PART, REPLY_TOKEN_LENGTH, parseReplyAddress, parseReplyToken, personalLink, readLinkToken, replyAddress, replyToken,
  resolveReplyToken, signLinkToken, stakeholderTokenKeys,
} from '../../src/auth/stakeholder-tokens.ts';
import { checkToken, mintToken } from '../../src/auth/tokens.ts';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import { linkAccess, type LinkSubject } from '../../src/domain/link-access.ts';
import { CONSULTATION_ID, CSO, MFA, NOW, cso, draft, mfa, opened, removed, stateFrom } from '../helpers/domain-spec.ts';

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
const keys = stakeholderTokenKeys(SECRET);
const otherKeys = stakeholderTokenKeys('another-secret-0123456789abcdef0123456789');
const focal: LinkSubject = { consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example') };
const mfaContact: LinkSubject = { consultationId: CONSULTATION_ID, stakeholderId: MFA, contactId: fixtureContactId(MFA, 'gender@mfa.example') };
const state = stateFrom([opened, draft(1), cso, mfa]);

/** The token with one character of the given part (0 header, 1 payload, 2 signature) changed. */
function flip(token: string, part: number): string {
  const parts = token.split('.');
  const p = parts[part]!;
  const i = Math.floor(p.length / 2);
  parts[part] = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
  return parts.join('.');
}

t.test('keys: one per purpose, none equal to the secret coordinator tokens sign with', async (t) => {
  const link = Buffer.from(deriveKey(SECRET, 'stakeholderLink'));
  const reply = Buffer.from(deriveKey(SECRET, 'replyAddress'));
  t.equal(link.length, 32);
  t.not(link.toString('hex'), reply.toString('hex'));
  t.not(link.toString('hex'), Buffer.from(SECRET).toString('hex'));
  t.same(Buffer.from(deriveKey(SECRET, 'stakeholderLink')), link, 'deterministic');
  t.throws(() => deriveKey('', 'replyAddress'));
});

t.test('link token: round trip; the same for the same contact, another for another contact', async (t) => {
  const token = await signLinkToken(keys, focal);
  t.strictSame(await readLinkToken(keys, token), { ok: true, subject: focal });
  t.equal(await signLinkToken(keys, focal), token, 'deterministic: every message and preview carries the same link');
  t.not(await signLinkToken(keys, { ...focal, contactId: fixtureContactId(CSO, 'deputy@wpn.example') }), token);
  t.equal(personalLink('https://consult.example.org/', token), `https://consult.example.org/r/${token}`);
});

t.test('link token: tampered when any part is changed, made with another secret, or not a token at all', async (t) => {
  const token = await signLinkToken(keys, focal);
  for (const part of [0, 1, 2]) t.match(await readLinkToken(keys, flip(token, part)), { ok: false, reason: 'tampered' }, `part ${part} changed`);
  // another stakeholder's claims under this token's signature
  const other = await signLinkToken(keys, mfaContact);
  const spliced = [token.split('.')[0], other.split('.')[1], token.split('.')[2]].join('.');
  t.match(await readLinkToken(keys, spliced), { ok: false, reason: 'tampered' });
  t.match(await readLinkToken(otherKeys, token), { ok: false, reason: 'tampered' }, 'another secret');
  for (const junk of ['', 'x', 'a.b.c', `${token}x`]) t.match(await readLinkToken(keys, junk), { ok: false, reason: 'tampered' });
  // alg none, whatever it claims
  const none = `${Buffer.from('{"alg":"none","typ":"wps-link+jwt"}').toString('base64url')}.${token.split('.')[1]}.`;
  t.match(await readLinkToken(keys, none), { ok: false, reason: 'tampered' });
});

t.test('link and coordinator tokens never pass for each other, even with the same AUTH_SECRET', async (t) => {
  const coordinator = (await mintToken(SECRET, { role: 'coordinator', subject: 'gender-office' })).token;
  t.match(await readLinkToken(keys, coordinator), { ok: false, reason: 'tampered' });
  const link = await signLinkToken(keys, focal);
  t.match(await checkToken(SECRET, link, { maxLifetimeSeconds: 86_400 }), { ok: false, reason: 'invalid' });
});

t.test('link token against the state: full, then revoked once the stakeholder is removed, expired after the deadline', async (t) => {
  const read = await readLinkToken(keys, await signLinkToken(keys, focal));
  if (!read.ok) return t.fail('read');
  t.match(linkAccess(state, read.subject, NOW), { ok: true, access: 'full' });
  t.match(linkAccess(stateFrom([opened, draft(1), cso, removed(CSO)]), read.subject, NOW), { ok: false, reason: 'revoked' });
  t.match(linkAccess(state, read.subject, '2027-06-01T00:00:00Z'), { ok: false, reason: 'expired' });
  t.match(linkAccess(stateFrom([{ ...opened, data: { ...opened.data, consultationId: '0d5e8f3a-1c2b-4a6d-9e7f-000000000000' } } as typeof opened, cso]), read.subject, NOW),
    { ok: false, reason: 'wrong-consultation' });
});

t.test('reply token: lowercase, short enough for reply+ and bounces+ local parts', async (t) => {
  const token = replyToken(keys, 'reply', focal);
  t.equal(token.length, REPLY_TOKEN_LENGTH);
  t.match(token, /^1[a-z2-7]+$/, 'a version digit, then lowercase base32');
  t.equal(token, token.toLowerCase());
  for (const purpose of ['reply', 'bounces'] as const) {
    const address = replyAddress(keys, purpose, focal, 'in.consult.example.org');
    const local = address.split('@')[0]!;
    t.ok(local.length <= MAX_LOCAL_PART, `${purpose}: ${local.length} characters`);
    t.ok(local.startsWith(`${purpose}+`));
  }
  t.equal(replyToken(keys, 'reply', focal), token, 'deterministic');
  t.not(replyToken(keys, 'bounces', focal), token, 'reply and bounce tokens differ');
});

t.test('reply token: decodes back to consultation, stakeholder and contact, whatever the case of the address', async (t) => {
  const address = replyAddress(keys, 'reply', focal, 'in.consult.example.org');
  for (const a of [address, address.toUpperCase()]) {
    const parsed = parseReplyAddress(a);
    if (!parsed.ok) return t.fail(parsed.detail);
    t.equal(parsed.token.consultationId, CONSULTATION_ID, 'the consultation is in the token in full');
    t.strictSame(resolveReplyToken(keys, parsed.token, state), { ok: true, subject: focal });
  }
  const bounce = parseReplyAddress(replyAddress(keys, 'bounces', mfaContact, 'in.consult.example.org'));
  t.strictSame(bounce.ok && resolveReplyToken(keys, bounce.token, state), { ok: true, subject: mfaContact });
});

t.test('reply token: tampered when a character changes, the purpose is swapped, another secret made it, or it is no token', async (t) => {
  const token = replyToken(keys, 'reply', focal);
  for (let i = 1; i < token.length; i += 7) {
    const changed = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
    const parsed = parseReplyToken('reply', changed);
    t.match(parsed.ok ? resolveReplyToken(keys, parsed.token, state) : parsed, { ok: false, reason: 'tampered' }, `character ${i}`);
  }
  const asBounce = parseReplyToken('bounces', token);
  t.match(asBounce.ok && resolveReplyToken(keys, asBounce.token, state), { ok: false, reason: 'tampered' }, 'a reply token is no bounce token');
  const parsed = parseReplyToken('reply', token);
  t.match(parsed.ok && resolveReplyToken(otherKeys, parsed.token, state), { ok: false, reason: 'tampered' });
  t.match(parsed.ok && resolveReplyToken(keys, parsed.token, stateFrom([])), { ok: false, reason: 'tampered' }, 'no such consultation');
  for (const junk of ['reply@in.example', 'reply+@in.example', `noreply+${token}@in.example`, `reply+${token}0@in.example`, `reply+${token.slice(0, -1)}1@in.example`]) {
    t.match(parseReplyAddress(junk), { ok: false, reason: 'tampered' }, junk);
  }
});

t.test('reply token of a former contact still resolves (a late bounce is attributed); the state says it is revoked', async (t) => {
  const changed = stateFrom([opened, draft(1), cso,
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Maria', email: 'maria@wpn.example' }]) })]);
  const parsed = parseReplyToken('bounces', replyToken(keys, 'bounces', focal));
  const resolved = parsed.ok && resolveReplyToken(keys, parsed.token, changed);
  t.strictSame(resolved, { ok: true, subject: focal });
  if (resolved && resolved.ok) t.match(linkAccess(changed, resolved.subject, NOW), { ok: false, reason: 'revoked', detail: /no longer belongs/ });
});

t.test('base32: round trips every length, refuses what no encoder gives', async (t) => {
  for (let n = 0; n <= 40; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    const text = base32Encode(bytes);
    t.match(text, /^[a-z2-7]*$/);
    t.strictSame(base32Decode(text), bytes);
    t.strictSame(base32Decode(text.toUpperCase()), bytes);
  }
  t.equal(base32Encode(Buffer.from('foobar')), 'mzxw6ytboi', 'RFC 4648 test vector, lower case');
  t.equal(base32Decode('mzxw6ytboi1'), null, 'a character outside the alphabet');
  t.equal(base32Decode('a'), null, 'a length no byte count gives');
  t.equal(base32Decode('mzxw6ytboj'), null, 'spare bits set');
});
