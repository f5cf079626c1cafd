// Ids derived from a command id, so that a retried command produces the same ids (and therefore
// the same events) without any I/O inside decide.
import { v5 as uuidv5 } from 'uuid';

/** A fixed namespace for this product's name-based UUIDs. */
export const ID_NAMESPACE = '6f1c2a7e-4b7d-5e0a-9c1b-2d3e4f5a6b7c';

export function idFor(commandId: string, purpose: string): string {
  return uuidv5(`${purpose}:${commandId}`, ID_NAMESPACE);
}

/** A Message-ID as replies name it in In-Reply-To and References: without angle brackets, trimmed, lower case. */
export function messageIdKey(messageId: string): string {
  return messageId.trim().replace(/^<+|>+$/g, '').trim().toLowerCase();
}

/**
 * The command id of recording a reply by e-mail: a name-based UUID of its Message-ID (as
 * messageIdKey compares them), so a mail delivered twice (or by SMTP and by webhook) records once.
 */
export function emailReplyCommandId(messageId: string): string {
  return uuidv5(`email-reply:${messageIdKey(messageId)}`, ID_NAMESPACE);
}
