// The catalogue of domain rule violations. Each code is stable: clients and tests match on it.
// `status` is the HTTP status the API maps it to: 404 unknown resource, 409 conflict with the
// consultation's state, 422 well-formed input that is invalid for that state.

export const DOMAIN_ERRORS = {
  CONSULTATION_NOT_FOUND: { status: 404, title: 'The consultation does not exist' },
  CONSULTATION_ALREADY_EXISTS: { status: 409, title: 'A consultation with this id exists already' },
  CONSULTATION_CLOSED: { status: 409, title: 'The consultation is closed' },
  CONSULTATION_NOT_CLOSED: { status: 409, title: 'The consultation is open: it has no outcome yet' },
  NO_DRAFT: { status: 409, title: 'No draft has been published yet' },
  DRAFT_NOT_FOUND: { status: 404, title: 'No draft with this version' },
  DRAFT_NOT_LATEST: { status: 409, title: 'Only the latest draft version may be used' },
  SECTION_NOT_FOUND: { status: 422, title: 'The draft version has no section with this key' },
  DUPLICATE_SECTION_KEY: { status: 422, title: 'Two sections share a key' },
  TRANSLATION_IN_FIRST_LANGUAGE: { status: 422, title: 'A section\'s own heading and text are in the consultation\'s first language: it is not a translation' },
  TRANSLATION_LANGUAGE_NOT_OFFERED: { status: 422, title: 'A translation into a language the consultation does not declare' },
  LANGUAGE_NOT_FOUND: { status: 404, title: 'The consultation does not declare this language' },
  STAKEHOLDER_NOT_FOUND: { status: 404, title: 'No stakeholder with this id' },
  CONTACT_NOT_FOUND: { status: 404, title: 'The stakeholder has no contact with this id' },
  CONTACT_ERASED: { status: 409, title: 'The contact\'s personal data was erased: nothing can be sent to it (add a new contact to the stakeholder)' },
  ORGANISATION_ALREADY_INVITED: { status: 409, title: 'This organisation is invited already under other contacts' },
  STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS: { status: 409, title: 'A contact address is invited already, with other details: change them on the stakeholder (PATCH)' },
  LANGUAGE_NOT_OFFERED: { status: 409, title: 'The language is not one of the consultation\'s languages' },
  CONTACT_BELONGS_TO_OTHER_STAKEHOLDER: { status: 409, title: 'A contact address belongs to another stakeholder' },
  STAKEHOLDER_REMOVED: { status: 409, title: 'The stakeholder was removed; reinstate it first' },
  STAKEHOLDER_DECLINED: { status: 409, title: 'The stakeholder declined the invitation; reinstate it first' },
  NOT_AN_ENDORSER: { status: 409, title: 'The stakeholder was not invited as an endorser' },
  ACTOR_NOT_STAKEHOLDER: { status: 409, title: 'A stakeholder may act only for itself' },
  ACTOR_NOT_ALLOWED: { status: 403, title: 'This kind of actor may not give this command' },
  COMMENT_DEADLINE_PASSED: { status: 409, title: 'The comment deadline has passed' },
  RECORDED_CHANNEL_COORDINATOR_ONLY: { status: 422, title: 'Only the coordinator records a comment made in a meeting or a letter' },
  MADE_AT_REQUIRED: { status: 422, title: 'A comment recorded from a meeting or letter needs the time it was made' },
  MADE_AT_IN_FUTURE: { status: 422, title: 'A comment cannot have been made in the future' },
  MADE_AT_BEFORE_DRAFT: { status: 422, title: 'The comment was made before the draft version it names was published' },
  COMMENT_NOT_FOUND: { status: 404, title: 'No comment with this id' },
  COMMENT_RETRACTED: { status: 409, title: 'The comment was retracted' },
  NO_COMMENT_TO_ACKNOWLEDGE: { status: 409, title: 'The stakeholder has no comment (not retracted) to acknowledge' },
  NO_ANSWERS_TO_DIGEST: { status: 409, title: 'None of the stakeholder\'s comments was answered today: no digest is due' },
  NO_ENDORSEMENT_REQUEST: { status: 409, title: 'No endorsement request is open for this draft version' },
  ENDORSEMENT_REQUEST_OPEN: { status: 409, title: 'An endorsement request is open already' },
  ENDORSEMENT_DEADLINE_PASSED: { status: 409, title: 'The endorsement deadline has passed' },
  DEADLINE_IN_PAST: { status: 422, title: 'The deadline is not in the future' },
  DEADLINE_NOT_LATER: { status: 422, title: 'An extension must move the deadline later' },
  ADOPTION_BLOCKED: { status: 409, title: 'The version cannot be adopted yet: details.reasons lists every reason' },
  ATTACHMENT_NOT_FOUND: { status: 404, title: 'No comment or held reply of this consultation has an attachment with this hash (or its file is not stored)' },
  HELD_REPLY_NOT_FOUND: { status: 404, title: 'No held reply with this id' },
  HELD_REPLY_DECIDED: { status: 409, title: 'The held reply was accepted or discarded already: it cannot be decided otherwise' },
  HELD_REPLY_TEXT_INVALID: { status: 422, title: 'The held reply\'s text cannot be a comment (empty, or longer than a comment may be): discard it, and record the comment by hand' },
  COMMAND_ID_REUSED: { status: 422, title: 'This command id was used already for a different command' },
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: DomainErrorCode,
    message?: string,
    /** structured details for clients, e.g. the missing endorsers */
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? DOMAIN_ERRORS[code].title);
    this.name = 'DomainError';
    this.status = DOMAIN_ERRORS[code].status;
  }
}
