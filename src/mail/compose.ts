// A message ready to send to one contact: its personal link signed, its text rendered in the
// recipient's language, its headers and envelope built. The mail workers send what this gives;
// the preview route shows it. Deterministic for a job: the same link, Message-ID and addresses.
import { personalLink, signLinkToken, type StakeholderTokenKeys } from '../auth/stakeholder-tokens.ts';
import type { LinkSubject } from '../domain/link-access.ts';
import { buildMail, type MailIdentity, type OutgoingMail } from './message.ts';
import { renderMessage, type MessageCommon, type MessageFacts, type RenderedMessage } from './render.ts';

export interface MailSettings extends MailIdentity {
  /** PUBLIC_URL: the base of the personal links */
  publicUrl: string;
  keys: StakeholderTokenKeys;
}

export interface ComposeInput {
  jobId: string;
  subject: LinkSubject;
  consultation: MessageCommon['consultation'];
  stakeholder: MessageCommon['stakeholder'];
  contact: { name: string; email: string };
  facts: MessageFacts;
  date?: Date;
}

export async function composeMessage(settings: MailSettings, input: ComposeInput): Promise<{ rendered: RenderedMessage; mail: OutgoingMail }> {
  const link = personalLink(settings.publicUrl, await signLinkToken(settings.keys, input.subject));
  const rendered = renderMessage({ ...input.facts, consultation: input.consultation, stakeholder: input.stakeholder, contact: input.contact, link });
  const mail = buildMail(settings, settings.keys, {
    jobId: input.jobId, subject: input.subject, to: input.contact, rendered, ...(input.date ? { date: input.date } : {}),
  });
  return { rendered, mail };
}
