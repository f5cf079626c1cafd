// POST /inbound/mime: raw MIME from a provider's webhook, authenticated with INBOUND_WEBHOOK_SECRET.
import { createHmac } from 'node:crypto';
import t, { type Test } from 'tap';
import { authentic, webhookRecipient } from '../../src/inbound/webhook.ts';
import { startApi } from '../helpers/http.ts';
import { CONTACT_EMAIL, INBOUND_DOMAIN, inboundWorld } from '../helpers/inbound.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.setTimeout(90_000); // a dozen SMTP conversations or app starts; the machine is shared

const SECRET = 'webhook-secret-0123456789abcdef0123456789';

async function setup(t: Test, secret: string | null = SECRET) {
  const { store } = tempStore(t);
  const world = await inboundWorld(t, { maxBytes: 64 * 1024 }, store);
  const api = await startApi(t, { store, ...(secret ? { inbound: () => ({ mailbox: world.mailbox, secret }) } : {}) });
  return { world, api };
}

const mime = (to: string, body: string, extra = '') => Buffer.from(
  `From: Maria Ionescu <${CONTACT_EMAIL}>\r\nTo: ${to}\r\nSubject: Re: Invitation\r\nMessage-ID: <wh-${Math.random()}@mail.wpn.example>\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n\r\nOn Tue, 2 Mar 2027 at 10:15, WPS <${to}> wrote:\r\n> -- Please write your reply above this line --\r\n> Dear Maria,\r\n`,
);
const sign = (body: Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

t.test('a good HMAC records the reply as the SMTP listener does; a bad one is 401 and records nothing', async (t) => {
  const { world, api } = await setup(t);
  const body = mime(world.replyTo, 'Agreed, by webhook.');
  const good = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': sign(body) } });
  t.equal(good.statusCode, 200, good.body);
  t.match(good.json(), { outcome: 'reply-recorded', events: ['CommentSubmitted'], duplicate: false });
  const texts = async () => (await world.events()).filter((e) => e.type === 'CommentSubmitted').map((e) => e.data['text']);
  t.same(await texts(), ['Agreed, by webhook.']);

  const other = mime(world.replyTo, 'Forged.');
  for (const signature of [sign(other, 'another-secret-0123456789abcdef0123456789'), sign(body), 'sha256=zz', '']) {
    const bad = await api.call({ method: 'POST', url: '/inbound/mime', payload: other, as: null, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': signature } });
    t.equal(bad.statusCode, 401, `signature ${signature.slice(0, 12)}`);
    t.equal(bad.json().code, 'INBOUND_SIGNATURE_INVALID');
  }
  const none = await api.call({ method: 'POST', url: '/inbound/mime', payload: other, as: null, headers: { 'content-type': 'message/rfc822' } });
  t.equal(none.statusCode, 401);
  t.same(await texts(), ['Agreed, by webhook.'], 'nothing more recorded');

  const again = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'application/octet-stream', 'x-inbound-signature': sign(body) } });
  t.match(again.json(), { outcome: 'reply-recorded', duplicate: true }, 'the provider\'s retry records nothing more');
  t.same(await texts(), ['Agreed, by webhook.']);
});

t.test('the bearer secret; the API\'s bearer tokens are not it', async (t) => {
  const { world, api } = await setup(t);
  const body = mime(world.replyTo, 'By bearer.');
  const coordinator = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, headers: { 'content-type': 'message/rfc822' } });
  t.equal(coordinator.statusCode, 401, 'a coordinator token is no webhook secret');
  const ok = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${SECRET}` } });
  t.equal(ok.statusCode, 200, ok.body);
  const wrong = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${SECRET}x` } });
  t.equal(wrong.statusCode, 401);
});

t.test('the recipient: X-Envelope-To, else the mail\'s headers; one that does not hold is 422', async (t) => {
  const { world, api } = await setup(t);
  const post = (body: Buffer, headers: Record<string, string> = {}) => api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': sign(body), ...headers } });
  const viaDelivered = mime('WPS <consultation@gov.example>', 'Via Delivered-To.', `Delivered-To: ${world.replyTo}\r\n`);
  t.equal((await post(viaDelivered)).statusCode, 200);
  const viaHeader = mime('WPS <consultation@gov.example>', 'Via X-Envelope-To.');
  t.equal((await post(viaHeader, { 'x-envelope-to': world.replyTo })).statusCode, 200);
  const nowhere = mime('WPS <consultation@gov.example>', 'To nobody.');
  const refused = await post(nowhere);
  t.equal(refused.statusCode, 422);
  t.equal(refused.json().code, 'INBOUND_RECIPIENT_REFUSED');
  const tampered = await post(nowhere, { 'x-envelope-to': world.replyTo.replace(/.@/, (m) => `${m[0] === 'a' ? 'b' : 'a'}@`) });
  t.equal(tampered.statusCode, 422);
  t.equal((await world.events()).filter((e) => e.type === 'CommentSubmitted').length, 2);
  const auto = mime(world.replyTo, 'Away', 'Auto-Submitted: auto-replied\r\n');
  t.match((await post(auto)).json(), { outcome: 'auto-reply-ignored', reason: 'Auto-Submitted: auto-replied' });
  const nullSender = mime(world.replyTo, 'From nobody');
  t.match((await post(nullSender, { 'x-envelope-from': '<>' })).json(), { outcome: 'auto-reply-ignored', reason: 'empty envelope sender' });
});

t.test('the body limit is INBOUND_MAX_BYTES; JSON is not taken', async (t) => {
  const { world, api } = await setup(t);
  const big = mime(world.replyTo, 'x'.repeat(70 * 1024));
  const tooBig = await api.call({ method: 'POST', url: '/inbound/mime', payload: big, as: null, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': sign(big) } });
  t.equal(tooBig.statusCode, 413);
  t.equal(tooBig.json().code, 'BODY_TOO_LARGE');
  const json = await api.call({ method: 'POST', url: '/inbound/mime', as: null, body: { raw: 'x' } });
  t.equal(json.statusCode, 415);
});

t.test('without INBOUND_WEBHOOK_SECRET the route does not exist', async (t) => {
  const { world, api } = await setup(t, null);
  const body = mime(world.replyTo, 'x');
  const res = await api.call({ method: 'POST', url: '/inbound/mime', payload: body, as: null, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': sign(body) } });
  t.equal(res.statusCode, 404);
  t.equal(res.json().code, 'ROUTE_NOT_FOUND');
});

t.test('authentic and webhookRecipient on their own', async (t) => {
  const body = Buffer.from('mail');
  t.ok(authentic(SECRET, body, sign(body).toUpperCase().replace('SHA256=', 'sha256='), undefined), 'hex in either case');
  t.notOk(authentic(SECRET, body, undefined, undefined));
  t.notOk(authentic(SECRET, body, undefined, `Basic ${SECRET}`));
  const raw = Buffer.from(`To: a@b.example, "X" <reply+1abc@${INBOUND_DOMAIN.toUpperCase()}>\r\nCc: bounces+2def@${INBOUND_DOMAIN}\r\n\r\nbody`);
  t.equal(webhookRecipient(raw, undefined, INBOUND_DOMAIN), `reply+1abc@${INBOUND_DOMAIN.toUpperCase()}`);
  t.equal(webhookRecipient(raw, ' <x@y> ', INBOUND_DOMAIN), 'x@y');
  t.equal(webhookRecipient(Buffer.from('To: a@b.example\r\n\r\n'), undefined, INBOUND_DOMAIN), null);
});
