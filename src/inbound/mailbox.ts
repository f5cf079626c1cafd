// What becomes of one inbound mail, by SMTP (smtp-listener.ts) or by the webhook (webhook.ts): a
// reply to reply+<token>@ is parsed (mailparser), cut to its new text (reply-text.ts), split into
// blocks per section (sections.ts), its attachments stored (attachments.ts), and recorded with
// RecordEmailReply, which records the comments or holds the reply; an automatic reply is logged
// and nothing is recorded; a delivery report to bounces+<token>@ is recorded as DeliveryFailed.
// Everything goes through the command handler as the system actor `inbound-mail`, with a command
// id derived from the mail's Message-ID, so a mail delivered twice records once.
import { createHash } from 'node:crypto';
import type { Attachment, ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { StakeholderTokenKeys } from '../auth/stakeholder-tokens.ts';
import type { CommandHandler } from '../commands/handler.ts';
import { commands } from '../commands/index.ts';
import { emailReplyCommandId } from '../commands/record-email-reply.ts';
import { DomainError } from '../domain/errors.ts';
import { idFor } from '../domain/ids.ts';
import type { Actor } from '../domain/schemas.ts';
import { storeAttachment } from './attachments.ts';
import { trustedAuthentication } from './authentication.ts';
import { autoReplyReason } from './auto-reply.ts';
import { readBounce } from './bounce.ts';
import type { HeaderLine } from './headers.ts';
import { parseMail } from './parse.ts';
import { checkRecipient, type Recipient, type RecipientCheck } from './recipient.ts';
import { messageText, newText } from './reply-text.ts';
import { splitBlocks } from './sections.ts';

/** Who records what arrives by mail. */
export const INBOUND_ACTOR: Actor = { role: 'system', id: 'inbound-mail' };

/** The most attachments a reply may carry (the command's bound). */
export const MAX_ATTACHMENTS = 20;
const MAX_HEADER_TEXT = 998;

export interface InboundSettings {
  /** INBOUND_DOMAIN */
  domain: string;
  keys: Pick<StakeholderTokenKeys, 'replyAddress'>;
  /** where attachments are stored (DATA_DIR) */
  dataDir: string;
  /** INBOUND_MAX_BYTES: the largest message */
  maxBytes: number;
  /** INBOUND_MAX_ATTACHMENT_BYTES: the largest attachment */
  maxAttachmentBytes: number;
  /** INBOUND_AUTHSERV_ID: whose Authentication-Results are recorded */
  authservId?: string | undefined;
}

export interface InboundDeps {
  handler: Pick<CommandHandler, 'load' | 'execute'>;
  settings: InboundSettings;
  clock?: () => Date;
  logger?: Logger;
}

/** One mail as it arrived. */
export interface InboundMail {
  raw: Buffer;
  recipient: Recipient;
  /** the envelope sender: '' for MAIL FROM:<>, null when the path it came by does not say */
  envelopeFrom: string | null;
  receivedAt: Date;
}

export type InboundOutcome =
  | { outcome: 'reply-recorded'; commandId: string; events: string[]; duplicate: boolean }
  | { outcome: 'auto-reply-ignored'; reason: string }
  | { outcome: 'bounce-recorded'; commandId: string; events: string[]; duplicate: boolean }
  | { outcome: 'bounce-ignored'; reason: string };

/** A mail refused for what it is (an SMTP 5xx; 4xx for the webhook): nothing was recorded. */
export class InboundRefusal extends Error {
  constructor(readonly smtpCode: number, readonly enhanced: string, message: string) {
    super(message);
    this.name = 'InboundRefusal';
  }
}

function line(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_HEADER_TEXT);
}

/** The Message-ID, or one made of the raw message's hash when it has none (or one too long to keep). */
export function messageIdOf(parsed: Pick<ParsedMail, 'messageId'>, raw: Buffer): string {
  const id = line(parsed.messageId);
  if (id && id.length <= MAX_HEADER_TEXT) return id;
  return `<${createHash('sha256').update(raw).digest('hex')}@message-id.invalid>`;
}

function referencesOf(parsed: Pick<ParsedMail, 'inReplyTo' | 'references'>): string[] {
  const all = [parsed.inReplyTo, ...(Array.isArray(parsed.references) ? parsed.references : [parsed.references])];
  const ids = all.flatMap((x) => (x ? x.split(/\s+/) : [])).map((x) => x.trim()).filter((x) => x !== '' && x.length <= MAX_HEADER_TEXT);
  return [...new Set(ids)].slice(-100);
}

function senderOf(parsed: Pick<ParsedMail, 'from'>): string {
  return line(parsed.from?.value[0]?.address ?? '') ?? '';
}

export class InboundMailbox {
  private readonly clock: () => Date;

  constructor(private readonly deps: InboundDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  get settings(): InboundSettings {
    return this.deps.settings;
  }

  /** The time a mail is received at (the clock the deps give). */
  now(): Date {
    return this.clock();
  }

  /** Whether mail for this address is taken now (RCPT TO, or the webhook's recipient). */
  check(address: string): Promise<RecipientCheck> {
    return checkRecipient({ domain: this.deps.settings.domain, keys: this.deps.settings.keys, load: (id) => this.deps.handler.load(id) }, address, this.clock().toISOString());
  }

  /** Parses and records one mail; throws InboundRefusal for a mail it will not take, anything else for a failure to try again. */
  async receive(mail: InboundMail): Promise<InboundOutcome> {
    const parsed = await parseMail(mail.raw);
    const messageId = messageIdOf(parsed, mail.raw);
    const { subject } = mail.recipient;
    const log = this.deps.logger?.child({ consultationId: subject.consultationId, stakeholderId: subject.stakeholderId, contactId: subject.contactId, purpose: mail.recipient.purpose });
    if (mail.recipient.purpose === 'bounces') return this.bounce(parsed, mail, messageId, log);

    const auto = autoReplyReason(parsed.headerLines as HeaderLine[], mail.envelopeFrom);
    if (auto !== null) {
      log?.info({ reason: auto }, 'inbound mail: an automatic reply; nothing recorded');
      return { outcome: 'auto-reply-ignored', reason: auto };
    }
    const attachments = await this.store(parsed.attachments);
    const authentication = trustedAuthentication(parsed.headerLines as HeaderLine[], this.deps.settings.authservId);
    const commandId = emailReplyCommandId(messageId);
    const input = {
      stakeholderId: subject.stakeholderId,
      contactId: subject.contactId,
      messageId,
      receivedAt: mail.receivedAt.toISOString(),
      from: senderOf(parsed),
      ...(parsed.subject !== undefined ? { subject: line(parsed.subject) } : {}),
      references: referencesOf(parsed),
      blocks: splitBlocks(newText(messageText(parsed))),
      attachments,
      ...(authentication ? { authentication } : {}),
    };
    const result = await this.execute(() => this.deps.handler.execute(commands.recordEmailReply, { consultationId: subject.consultationId, commandId, actor: INBOUND_ACTOR, input }));
    const events = result?.events.map((e) => e.type) ?? [];
    log?.info({ commandId, events, blocks: input.blocks.length, attachments: attachments.length, duplicate: result === null || result.replayed }, 'inbound mail: a reply, recorded');
    return { outcome: 'reply-recorded', commandId, events, duplicate: result === null || result.replayed };
  }

  private async bounce(parsed: ParsedMail, mail: InboundMail, messageId: string, log: Logger | undefined): Promise<InboundOutcome> {
    const reading = readBounce(parsed, mail.recipient.subject, messageId);
    if (reading.kind !== 'failure') {
      log?.info({ reason: reading.reason }, 'inbound mail to a bounce address: no delivery failure; nothing recorded');
      return { outcome: 'bounce-ignored', reason: reading.reason };
    }
    const { subject } = mail.recipient;
    const commandId = idFor(messageId, 'inbound-bounce');
    const result = await this.execute(() => this.deps.handler.execute(commands.recordDeliveryFailure, {
      consultationId: subject.consultationId,
      commandId,
      actor: INBOUND_ACTOR,
      input: { stakeholderId: subject.stakeholderId, contactId: subject.contactId, ...reading.failure, failedAt: mail.receivedAt.toISOString() },
    }));
    const events = result?.events.map((e) => e.type) ?? [];
    log?.info({ commandId, events, permanent: reading.failure.permanent, messageKind: reading.failure.messageKind }, 'inbound mail: a delivery report, recorded');
    return { outcome: 'bounce-recorded', commandId, events, duplicate: result === null || result.replayed };
  }

  /** The reply's attachments, checked against the limits first, then stored. */
  private async store(all: readonly Attachment[]) {
    const files = all.filter((a) => !a.related); // images an HTML body shows (a signature's logo) are not attachments
    if (files.length > MAX_ATTACHMENTS) throw new InboundRefusal(552, '5.3.4', `at most ${MAX_ATTACHMENTS} attachments are taken; this message has ${files.length}`);
    const max = this.deps.settings.maxAttachmentBytes;
    const big = files.find((a) => a.content.byteLength > max);
    if (big) throw new InboundRefusal(552, '5.3.4', `an attachment is larger than ${max} bytes`);
    const stored = [];
    for (const [i, a] of files.entries()) {
      const { sha256, size } = await storeAttachment(this.deps.settings.dataDir, a.content);
      stored.push({
        sha256, size,
        filename: (line(a.filename) || `attachment-${i + 1}`).slice(0, 255),
        contentType: (line(a.contentType) || 'application/octet-stream').slice(0, 255),
      });
    }
    return stored;
  }

  /** A command that a delivery of the same mail recorded first (same command id, another time of receipt in it) is recorded all the same: null. */
  private async execute<R>(run: () => Promise<R>): Promise<R | null> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'COMMAND_ID_REUSED') return null;
      throw error;
    }
  }
}
