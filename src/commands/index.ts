// Every command of the consultation, by name.
import { acceptHeldReply } from './accept-held-reply.ts';
import { answerComment } from './answer-comment.ts';
import { cancelEndorsementRequest } from './cancel-endorsement-request.ts';
import { changeContacts } from './change-contacts.ts';
import { changeNotifyEmails } from './change-notify-emails.ts';
import { changeStakeholderDetails } from './change-stakeholder-details.ts';
import { closeConsultation } from './close-consultation.ts';
import { completeReview } from './complete-review.ts';
import { configureReminders } from './configure-reminders.ts';
import { discardHeldReply } from './discard-held-reply.ts';
import { endorseDraft } from './endorse-draft.ts';
import { extendDeadline } from './extend-deadline.ts';
import { inviteStakeholder } from './invite-stakeholder.ts';
import { openConsultation } from './open-consultation.ts';
import { publishDraft } from './publish-draft.ts';
import { recordDeliveryFailure } from './record-delivery-failure.ts';
import { recordEmailReply } from './record-email-reply.ts';
import { recordMessageSent } from './record-message-sent.ts';
import { recordOfficeNotification } from './record-office-notification.ts';
import { reinstateStakeholder } from './reinstate-stakeholder.ts';
import { removeStakeholder } from './remove-stakeholder.ts';
import { requestEndorsement } from './request-endorsement.ts';
import { requestNewLink } from './request-new-link.ts';
import { resendInvitation } from './resend-invitation.ts';
import { respondToInvitation } from './respond-to-invitation.ts';
import { retractComment } from './retract-comment.ts';
import { submitComment } from './submit-comment.ts';
import { withholdEndorsement } from './withhold-endorsement.ts';

export const commands = {
  openConsultation, publishDraft, inviteStakeholder, changeContacts, changeStakeholderDetails, respondToInvitation, removeStakeholder,
  reinstateStakeholder, submitComment, retractComment, completeReview, answerComment, requestEndorsement,
  cancelEndorsementRequest, endorseDraft, withholdEndorsement, extendDeadline, closeConsultation,
  recordMessageSent, recordDeliveryFailure, configureReminders, resendInvitation, changeNotifyEmails, recordOfficeNotification,
  requestNewLink, recordEmailReply, acceptHeldReply, discardHeldReply,
} as const;

export {
  acceptHeldReply, answerComment, cancelEndorsementRequest, changeContacts, changeNotifyEmails, changeStakeholderDetails, closeConsultation, completeReview,
  configureReminders, discardHeldReply, endorseDraft,
  extendDeadline, inviteStakeholder, openConsultation, publishDraft, recordDeliveryFailure, recordEmailReply, recordMessageSent, recordOfficeNotification,
  reinstateStakeholder, removeStakeholder, requestEndorsement, requestNewLink, resendInvitation, respondToInvitation, retractComment, submitComment,
  withholdEndorsement,
};
