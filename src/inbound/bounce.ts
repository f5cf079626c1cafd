// A delivery report (RFC 3464) sent to a bounces+<token>@ address: a multipart/report whose
// message/delivery-status part (kept by mailparser's keepDeliveryStatus) says per recipient what
// became of the message: Action failed is a failure to record (permanent unless its Status is 4.x.x),
// delayed, delivered, relayed or expanded are not. The message it is about is named by the
// Message-ID in the returned message or its headers (message/rfc822, text/rfc822-headers), which
// is made of the mail job's id and so says its kind; a report about a message that is not one
// of ours to this consultation and contact is recorded under the report's own Message-ID.
import type { Attachment } from 'mailparser';
import type { LinkSubject } from '../domain/link-access.ts';
import { messageKindOf, readJobId } from '../workers/jobs.ts';

export interface BounceFinding {
  /** the message that failed: ours when the report names it, else the report's own id */
  messageId: string;
  messageKind: 'invitation' | 'notice' | 'reminder';
  /** Status and Diagnostic-Code as the reporting system wrote them */
  error: string;
  permanent: boolean;
}

export type BounceReading =
  | { kind: 'failure'; failure: BounceFinding }
  | { kind: 'not-a-failure'; reason: string };

interface ParsedReport {
  headers: Map<string, unknown>;
  attachments: Attachment[];
}

/** The fields of one block of a delivery-status (unfolded; names lowercased). */
function fields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return map;
}

function contentOf(a: Attachment): string {
  return a.content.toString('utf8');
}

/** The Message-ID in the header section of a returned message or its headers. */
function returnedMessageId(attachments: readonly Attachment[]): string | null {
  for (const a of attachments) {
    if (a.contentType !== 'message/rfc822' && a.contentType !== 'text/rfc822-headers') continue;
    const head = contentOf(a).split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const m = /^message-id:\s*(<[^<>\s]{1,196}>)\s*$/im.exec(head);
    if (m) return m[1]!;
  }
  return null;
}

function compact(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}

/** What a delivery report to `subject`'s bounce address says; `ownMessageId` is the report's own. */
export function readBounce(report: ParsedReport, subject: LinkSubject, ownMessageId: string): BounceReading {
  const type = report.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value !== 'multipart/report' || type.params?.['report-type']?.toLowerCase() !== 'delivery-status') {
    return { kind: 'not-a-failure', reason: 'not a delivery report (multipart/report; report-type=delivery-status)' };
  }
  const status = report.attachments.find((a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status');
  if (!status) return { kind: 'not-a-failure', reason: 'a delivery report without its delivery-status part' };
  const [, ...recipients] = contentOf(status).split(/\r?\n\s*\r?\n/).map(fields);
  const failed = recipients.find((r) => (r.get('action') ?? '').toLowerCase() === 'failed');
  if (!failed) {
    const actions = recipients.map((r) => r.get('action') ?? '?').join(', ') || 'none';
    return { kind: 'not-a-failure', reason: `no recipient failed (actions: ${actions})` };
  }
  const code = failed.get('status') ?? '';
  const diagnostic = failed.get('diagnostic-code') ?? '';
  const error = [code, diagnostic].filter((x) => x !== '').join(' ').replace(/[^\t\n\u0020-\u007e\u00a0-\uffff]/g, ' ').trim().slice(0, 2_000) || 'delivery failed (no status given)';

  const original = returnedMessageId(report.attachments);
  const job = original ? readJobId(original.slice(1, original.indexOf('@') > 0 ? original.indexOf('@') : -1)) : null;
  const ours = job !== null && job.consultation === compact(subject.consultationId) && job.contact === compact(subject.contactId);
  return {
    kind: 'failure',
    failure: {
      messageId: ours ? original! : ownMessageId.slice(0, 200),
      messageKind: ours ? messageKindOf(job.kind) : 'notice',
      error,
      permanent: !code.startsWith('4'),
    },
  };
}
