// One e-mail to one contact, as nodemailer sends it: its own To, its own Reply-To
// (reply+<token>@INBOUND_DOMAIN) and envelope sender (bounces+<token>@INBOUND_DOMAIN), so that a
// reply or a bounce is attributed to the person; a Message-ID derived from the job id, so that a
// message sent again after a crash carries the same id and mail systems can drop the duplicate.
// Every header is given to nodemailer as a value (addresses as { name, address } objects), which
// encodes it: nothing here writes a header line, so no value can start another.
import type { SendMailOptions } from 'nodemailer';
import { z } from 'zod';
import { replyAddress, type StakeholderTokenKeys } from '../auth/stakeholder-tokens.ts';
import type { LinkSubject } from '../domain/link-access.ts';
import type { RenderedMessage } from './render.ts';

export interface MailIdentity {
  /** MAIL_FROM */
  from: { name: string; address: string };
  /** INBOUND_DOMAIN: unset, a message has no Reply-To and its bounces go to MAIL_FROM */
  inboundDomain?: string | undefined;
}

/** What nodemailer is given: always these fields, never a raw header. */
export type OutgoingMail = SendMailOptions & {
  messageId: string;
  to: { name: string; address: string };
  envelope: { from: string; to: string[] };
  subject: string;
  text: string;
  html: string;
};

/** The recipient's address is not one nodemailer should be handed: a permanent failure, nothing is sent. */
export class InvalidRecipientError extends Error {
  readonly permanent = true;
  constructor(reason: string) {
    super(`invalid recipient address: ${reason}`);
    this.name = 'InvalidRecipientError';
  }
}

/** A job id as the Message-ID's left part: BullMQ job ids have no `:` and must be dot-atom text here. */
const JobId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'letters, digits, ".", "_" and "-"');
const Address = z.email();

/** One line, no control characters: names and subjects (nodemailer would encode them, this keeps a newline from reaching a display name at all). */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** `<jobId@domain>`: the same job always gives the same Message-ID. */
export function messageIdFor(jobId: string, domain: string): string {
  return `<${JobId.parse(jobId)}@${domain}>`;
}

export interface MailInput {
  /** the job's id: the Message-ID is made of it */
  jobId: string;
  /** who it is for: the reply and bounce addresses name them; null: a message to the coordinating office (no Reply-To, bounces to MAIL_FROM) */
  subject: LinkSubject | null;
  to: { name: string; email: string };
  rendered: RenderedMessage;
  /** the Date header (default: when it is built) */
  date?: Date;
}

export function buildMail(identity: MailIdentity, keys: Pick<StakeholderTokenKeys, 'replyAddress'>, input: MailInput): OutgoingMail {
  const address = input.to.email.trim();
  if (!Address.safeParse(address).success || /[\s<>,;"]/.test(address)) throw new InvalidRecipientError('not a single mailbox address');
  const domain = input.subject ? identity.inboundDomain : undefined;
  const replyTo = domain && input.subject ? replyAddress(keys, 'reply', input.subject, domain) : undefined;
  const bounces = domain && input.subject ? replyAddress(keys, 'bounces', input.subject, domain) : identity.from.address;
  return {
    from: { name: oneLine(identity.from.name), address: identity.from.address },
    to: { name: oneLine(input.to.name), address },
    ...(replyTo ? { replyTo } : {}),
    envelope: { from: bounces, to: [address] },
    messageId: messageIdFor(input.jobId, domainOf(identity.from.address)),
    subject: oneLine(input.rendered.subject),
    text: input.rendered.text,
    html: input.rendered.html,
    ...(input.date ? { date: input.date } : {}),
    headers: {
      // an automatic message (RFC 3834): auto-responders leave it unanswered
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'OOF, AutoReply',
      'Content-Language': input.rendered.language,
    },
    textEncoding: 'quoted-printable',
  };
}
