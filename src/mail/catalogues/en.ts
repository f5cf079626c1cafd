import type { Catalogue } from '../catalogue.ts';

const v = (n: number | null) => String(n ?? '');

export const en: Catalogue = {
  language: 'en',
  greeting: (name) => `Dear ${name},`,
  signOff: 'Kind regards,',
  action: 'Open your consultation page',
  personalLink: 'This link is personal to you: please do not forward it.',
  replyByEmail: 'You can also reply to this e-mail: write above the line at the top.',
  labels: {
    consultation: 'Consultation',
    draftVersion: 'Draft version',
    asked: 'What is asked',
    deadline: 'Deadline',
    comments: 'Your comments',
    answers: 'Answered',
    coordinatorMessage: 'A message from the coordinators',
    note: 'Note',
  },
  asked: {
    comments: (n) => `Your comments on draft version ${n}`,
    endorsement: (n) => `Your endorsement of draft version ${n} (or your reasons for withholding it)`,
    nothingYet: 'Nothing yet: you will be told when the first draft is published',
    nothing: 'Nothing more: thank you for taking part',
  },
  disposition: { accepted: 'accepted', 'partially-accepted': 'partially accepted', rejected: 'not accepted', noted: 'noted' },
  invitation: {
    subject: (f) => `Invitation: ${f.title}`,
    lead: (f) => [
      `${f.leadOrganisation} invites ${f.organisation} to take part in the consultation “${f.title}”.`,
      'On your personal page you can read the draft, comment on each section and follow the answers to your comments.',
    ],
  },
  newDraft: {
    subject: (f) => `New draft (version ${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`Version ${v(f.draftVersion)} of the draft of “${f.title}” has been published for comments.`],
  },
  endorsementRequest: {
    subject: (f) => `Endorsement requested (version ${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`${f.leadOrganisation} asks ${f.organisation} to endorse version ${v(f.draftVersion)} of the draft of “${f.title}”.`],
  },
  reminder: {
    comments: {
      subject: (f) => `Reminder: comments due ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`A reminder: the deadline for comments on version ${v(f.draftVersion)} of “${f.title}” is approaching, and we have not yet heard from ${f.organisation}.`],
    },
    endorsement: {
      subject: (f) => `Reminder: endorsement due ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`A reminder: the deadline to endorse version ${v(f.draftVersion)} of “${f.title}” is approaching, and ${f.organisation} has not yet decided.`],
    },
  },
  acknowledgement: {
    subject: (f, refs) => `Comments received (${refs}): ${f.title}`,
    received: { one: '# comment', other: '# comments' },
    lead: (f, received) => [
      `Thank you: we have received ${received} from ${f.organisation} on version ${v(f.draftVersion)} of “${f.title}”.`,
      'Please quote the references below when you write to us about them.',
    ],
  },
  outcome: {
    subject: (f) => `Consultation closed: ${f.title}`,
    lead: (f, outcome) => [outcome === 'adopted'
      ? `The consultation “${f.title}” has closed: version ${v(f.draftVersion)} of the plan was adopted. Thank you for taking part.`
      : `The consultation “${f.title}” has closed: the draft was withdrawn. Thank you for taking part.`],
    readableUntil: (date) => `Your page stays open for reading until ${date}: the outcome and the answers to your comments.`,
  },
  answersDigest: {
    subject: (f, answered) => `${answered}: ${f.title}`,
    answered: { one: '# of your comments was answered', other: '# of your comments were answered' },
    lead: (f, answered) => [`${answered} in the consultation “${f.title}”. The answers are on your page.`],
  },
  officeDigest: {
    subject: (f, day) => `Daily report (${day}): ${f.title}`,
    greeting: 'Hello,',
    lead: (f, day) => [`This is what needs your attention in the consultation “${f.title}” (${day}).`],
    footer: 'You receive this report because this address is one of the consultation\'s mailboxes to alert (notifyEmails).',
    signature: 'The consultation\'s mail service',
    messageKind: { invitation: 'invitation', notice: 'notice', reminder: 'reminder' },
    deliveryFailures: {
      count: { one: '# message could not be delivered', other: '# messages could not be delivered' },
      line: (l) => `${l.organisation}${l.contact ? `, ${l.contact}` : ''}: ${l.kind}, ${l.when}: ${l.reason}`,
    },
    heldReplies: {
      count: { one: '# reply by e-mail is held for you to accept or discard', other: '# replies by e-mail are held for you to accept or discard' },
      line: (l) => `${l.organisation}, received ${l.when}: ${l.reasons.join('; ')}`,
      reason: {
        SENDER_NOT_ALLOWED: 'the sender is not one of the organisation\'s contacts, nor in a domain listed for it',
        CONTACT_UNKNOWN: 'the reply address names a contact person the organisation no longer has',
        AFTER_DEADLINE: 'received after the comment deadline',
        OLDER_DRAFT: 'it answers an older draft',
        NO_DRAFT: 'no draft had been published',
        UNKNOWN_SECTION: 'it names a section the draft does not have',
        EMPTY: 'it has no new text',
        TOO_LONG: 'a part of it is longer than a comment may be',
        CONSULTATION_CLOSED: 'the consultation was closed',
        STAKEHOLDER_INACTIVE: 'the organisation was removed or declined the invitation',
      },
      review: (path) => `To read them and accept or discard each: GET ${path}`,
    },
  },
};
