// The reply page's words, one catalogue per language (catalogues/en.ts, ro.ts, nl.ts), as the
// mail's catalogues are for messages. The templates hold no words: every text here is plain (the
// templates escape it). A form's error is named by what the stakeholder can do about it.
import type { Language } from '../mail/language.ts';
import { en } from './catalogues/en.ts';
import { nl } from './catalogues/nl.ts';
import { ro } from './catalogues/ro.ts';

export type Disposition = 'accepted' | 'partially-accepted' | 'rejected' | 'noted';

/** What a form asked for, when it was done (the notice after the redirect). */
export type Done = 'accepted' | 'declined' | 'comment' | 'review' | 'endorsed' | 'withheld' | 'new-link';

/** Why a form was not recorded, in words the stakeholder can act on. */
export type FormProblem =
  | 'comment-deadline' | 'endorsement-deadline' | 'closed' | 'declined' | 'removed' | 'newer-draft' | 'no-request'
  | 'not-endorser' | 'no-section' | 'invalid' | 'form-expired' | 'read-only' | 'unavailable';

export interface PageCatalogue {
  language: Language;
  /** each language's name in itself is not here: see LANGUAGE_NAMES */
  switchLanguage: string;
  pageTitle: (consultation: string) => string;
  skipToContent: string;
  forWhom: (contact: string, organisation: string) => string;
  personalLink: string;
  ledBy: (organisation: string) => string;
  deadlines: {
    heading: string;
    comments: string;
    endorsement: string;
    linkUntil: string;
    none: string;
  };
  invitation: {
    heading: string;
    pending: string;
    accepted: string;
    declined: string;
    accept: string;
    decline: string;
    declineReason: string;
  };
  draft: {
    heading: (version: number) => string;
    none: string;
    note: string;
    commentOn: (heading: string) => string;
    untranslated: (language: string, shownIn: string) => string;
  };
  comment: {
    heading: string;
    section: string;
    wholeDraft: string;
    text: string;
    proposed: string;
    proposedHint: string;
    send: string;
  };
  review: {
    heading: string;
    explain: (version: number) => string;
    button: string;
    done: (version: number) => string;
  };
  endorsement: {
    heading: (version: number) => string;
    explain: string;
    signatoryName: string;
    signatoryTitle: string;
    statement: string;
    endorse: string;
    withholdHeading: string;
    reason: string;
    withhold: string;
    endorsed: (signatory: string, by: string, at: string) => string;
    withheld: (reason: string, by: string, at: string) => string;
    pending: string;
    changeable: string;
  };
  comments: {
    heading: string;
    none: string;
    wholeDraft: string;
    section: (key: string, heading: string | null) => string;
    version: (version: number) => string;
    proposed: string;
    by: (who: string) => string;
    formerContact: string;
    organisation: string;
    coordinator: string;
    awaiting: string;
    retracted: string;
    answer: (disposition: string) => string;
    disposition: Record<Disposition, string>;
  };
  closed: {
    heading: string;
    adopted: (version: number | null) => string;
    withdrawn: string;
    readOnlyUntil: (date: string) => string;
  };
  done: Record<Done, string> & { commentAs: (ref: string) => string; unchanged: string };
  problems: Record<FormProblem, string>;
  problemHeading: string;
  fields: { required: string; invalid: string };
  refused: {
    expired: { title: string; lead: string };
    revoked: { title: string; lead: string };
    tampered: { title: string; lead: string };
    askNewLink: string;
    askExplain: string;
    asked: string;
    writeToCoordinator: string;
  };
  error: {
    title: string;
    notFound: string;
    tooMany: string;
    formExpired: string;
    backToPage: string;
    unavailable: string;
  };
}

/** Each language's name in that language, for the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ro: 'Română', nl: 'Nederlands' };

const CATALOGUES: Record<Language, PageCatalogue> = { en, ro, nl };

export function pageCatalogue(language: Language): PageCatalogue {
  return CATALOGUES[language];
}
