// POST /inbound/mime: the same mail as the SMTP listener takes, as raw MIME (Content-Type
// message/rfc822 or application/octet-stream), for mail providers that forward inbound mail by
// webhook. Beside the REST API, not behind its bearer tokens: it is authenticated with
// INBOUND_WEBHOOK_SECRET, either an HMAC-SHA256 of the body (X-Inbound-Signature: sha256=<hex>)
// or the secret itself (Authorization: Bearer <secret>), compared in constant time. Without a
// secret the route does not exist (404). Its body limit is INBOUND_MAX_BYTES.
//
// The envelope, which raw MIME does not carry: the recipient from the X-Envelope-To request header,
// else the first reply+/bounces+ address of INBOUND_DOMAIN in the mail's Delivered-To, X-Original-To,
// To or Cc (in that order); the sender from X-Envelope-From, else the mail's Return-Path.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/catalogue.ts';
import type { App } from '../http/context.ts';
import { problem, INTERNAL_ERROR } from '../http/schemas.ts';
import { InboundRefusal, type InboundMailbox } from './mailbox.ts';

export interface InboundWebhookOptions {
  mailbox: InboundMailbox;
  /** INBOUND_WEBHOOK_SECRET */
  secret: string;
}

const Headers = z.looseObject({
  'x-inbound-signature': z.string().optional().describe('sha256=<hex>: the HMAC-SHA256 of the body under INBOUND_WEBHOOK_SECRET'),
  'authorization': z.string().optional().describe('Bearer <INBOUND_WEBHOOK_SECRET>, where the provider cannot sign'),
  'x-envelope-to': z.string().optional().describe('the envelope recipient (reply+<token>@ or bounces+<token>@INBOUND_DOMAIN); else taken from the mail\'s Delivered-To, X-Original-To, To, Cc'),
  'x-envelope-from': z.string().optional().describe('the envelope sender (empty or <> for a bounce or an automatic reply); else the mail\'s Return-Path'),
});

const Outcome = z.object({
  outcome: z.enum(['reply-recorded', 'auto-reply-ignored', 'bounce-recorded', 'bounce-ignored']),
  events: z.array(z.string()).optional().describe('the types of the events recorded (a reply: CommentSubmitted per block, or InboundReplyHeld)'),
  duplicate: z.boolean().optional().describe('this mail was recorded before (same Message-ID): nothing more was'),
  reason: z.string().optional().describe('why nothing was recorded'),
});

function digest(text: string | Buffer): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Whether the request carries the HMAC of its body or the secret; both compared in constant time. */
export function authentic(secret: string, body: Buffer, signature: string | undefined, authorization: string | undefined): boolean {
  if (signature !== undefined) {
    const m = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
    if (!m) return false;
    const expected = createHmac('sha256', secret).update(body).digest();
    return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
  }
  const m = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!), digest(secret)); // digests: equal lengths, nothing learnt from the length
}

/** The header section of raw MIME, unfolded, as name/value pairs. */
function headerSection(raw: Buffer): { key: string; value: string }[] {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/).flatMap((line) => {
    const colon = line.indexOf(':');
    return colon > 0 ? [{ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() }] : [];
  });
}

const ADDRESS = /[^\s<>,;:"()]+@[^\s<>,;:"()]+/g;

/** The envelope recipient: the request header, else the first reply+/bounces+ address of the domain in the mail's headers. */
export function webhookRecipient(raw: Buffer, header: string | undefined, domain: string): string | null {
  if (header !== undefined && header.trim() !== '') return header.trim().replace(/^<|>$/g, '');
  const headers = headerSection(raw);
  const ours = (address: string) => /^(reply|bounces)\+/i.test(address) && address.toLowerCase().endsWith(`@${domain.toLowerCase()}`);
  for (const key of ['delivered-to', 'x-original-to', 'to', 'cc']) {
    for (const h of headers.filter((x) => x.key === key)) {
      const found = (h.value.match(ADDRESS) ?? []).find(ours);
      if (found) return found;
    }
  }
  return null;
}

/** The envelope sender: the request header, else Return-Path ('' for <>), else unknown (null). */
function webhookSender(raw: Buffer, header: string | undefined): string | null {
  const value = header ?? headerSection(raw).find((h) => h.key === 'return-path')?.value;
  if (value === undefined) return null;
  return value.trim().replace(/^<|>$/g, '').trim();
}

export async function inboundWebhook(app: App, { mailbox, secret }: InboundWebhookOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['message/rfc822', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: mailbox.settings.maxBytes }, (_request, body, done) => done(null, body));

  app.post('/inbound/mime', {
    bodyLimit: mailbox.settings.maxBytes,
    schema: {
      operationId: 'receiveInboundMail',
      tags: ['inbound'],
      summary: 'An inbound mail (a reply or a delivery report) as raw MIME, from a provider that forwards mail by webhook',
      description: 'Authenticated with INBOUND_WEBHOOK_SECRET (X-Inbound-Signature or Authorization), not with a bearer token; 404 while no secret is configured. '
        + 'The mail is recorded as the SMTP listener records it. Answer 200 for every mail taken (recorded, or ignored as an automatic reply); '
        + '422 for a recipient that is not taken (do not retry); 503 to retry later.',
      headers: Headers,
      security: [],
      response: {
        200: Outcome,
        401: problem('INBOUND_SIGNATURE_INVALID'),
        413: problem('BODY_TOO_LARGE (INBOUND_MAX_BYTES), INBOUND_MESSAGE_REFUSED (an attachment over INBOUND_MAX_ATTACHMENT_BYTES, more than 20)'),
        415: problem('UNSUPPORTED_MEDIA_TYPE: send message/rfc822 or application/octet-stream'),
        422: problem('INBOUND_RECIPIENT_REFUSED: no recipient, or one whose token does not hold'),
        500: INTERNAL_ERROR,
        503: problem('EVENT_STORE_UNAVAILABLE, HISTORY_DAMAGED, CONTENTION: retry later'),
      },
    },
  }, async (request, reply) => {
    const body = request.body as Buffer;
    if (!Buffer.isBuffer(body) || !authentic(secret, body, request.headers['x-inbound-signature'], request.headers.authorization)) {
      throw new AppError('INBOUND_SIGNATURE_INVALID');
    }
    const address = webhookRecipient(body, request.headers['x-envelope-to'], mailbox.settings.domain);
    if (address === null) throw new AppError('INBOUND_RECIPIENT_REFUSED', 'no reply+ or bounces+ recipient: send X-Envelope-To');
    const checked = await mailbox.check(address);
    if (!checked.ok) {
      request.log.info({ reason: checked.reason }, 'inbound webhook: recipient refused');
      throw new AppError('INBOUND_RECIPIENT_REFUSED');
    }
    try {
      const outcome = await mailbox.receive({ raw: body, recipient: checked.recipient, envelopeFrom: webhookSender(body, request.headers['x-envelope-from']), receivedAt: mailbox.now() });
      return reply.code(200).send(outcome.outcome === 'reply-recorded' || outcome.outcome === 'bounce-recorded'
        ? { outcome: outcome.outcome, events: outcome.events, duplicate: outcome.duplicate }
        : { outcome: outcome.outcome, reason: outcome.reason });
    } catch (error) {
      if (error instanceof InboundRefusal) throw new AppError('INBOUND_MESSAGE_REFUSED', error.message);
      throw error;
    }
  });
}
