// The numbered drafts of each consultation, with their sections in every language, as published.
//
// Documents: the head (per consultation) holds the consultation's languages and the versions' facts
// (deadline, note, publication time); each version's sections, the bulk of the text, are a document
// of their own ("<consultation>/<version>"), written once when the version is published, as the
// event holds them.
//
// Read: each section in the first language (`heading`, `text`) and, for every other language the
// consultation declares, its translation or null, with the languages it lacks in `missing` (the
// domain's missingTranslations): a missing translation is shown as missing, never filled from
// another language. `draftInLanguage` gives one language's text (`?lang=`).
//
// The view's shape is its zod schema (DraftsEntry); the routes serve it and its drafts with it.
import { z } from 'zod';
import { StoredSection, StoredTranslation } from '../domain/events.ts';
import { missingTranslations, translationLanguages } from '../domain/languages.ts';
import { collection, docKey, perConsultation } from './projection.ts';

export const DraftSection = z.object({
  key: z.string(),
  heading: z.string().describe('in the consultation\'s first language'),
  text: z.string().describe('in the consultation\'s first language'),
  translations: z.record(z.string(), StoredTranslation.nullable())
    .describe('every other language of the consultation, by language tag: its heading and text, or null when the section has no translation into it'),
  missing: z.array(z.string()).describe('the consultation\'s other languages this section has no translation into (empty: complete)'),
});
export type DraftSection = z.infer<typeof DraftSection>;

export const DraftVersion = z.object({
  version: z.number().int(),
  sections: z.array(DraftSection),
  /** the comment deadline for everyone (extensions included) */
  commentDeadline: z.string(),
  note: z.string().nullable(),
  publishedAt: z.string(),
});
export type DraftVersion = z.infer<typeof DraftVersion>;

const Languages = z.array(z.string()).describe('the consultation\'s languages; the first is the language of each section\'s own heading and text');

export const DraftsEntry = z.object({ languages: Languages, drafts: z.array(DraftVersion) });
export type DraftsEntry = z.infer<typeof DraftsEntry>;

/** One draft with the consultation's languages, as `GET …/drafts/:version` serves it. */
export const DraftWithLanguages = DraftVersion.extend({ languages: Languages });
export type DraftWithLanguages = z.infer<typeof DraftWithLanguages>;

/** A section in one language: null heading and text (and `missing: true`) where it has no translation into it. */
export const DraftSectionInLanguage = z.object({
  key: z.string(),
  heading: z.string().nullable(),
  text: z.string().nullable(),
  missing: z.boolean().describe('true: the section has no translation into this language (heading and text are null, not another language\'s)'),
});

/** One draft in one language (`?lang=`). */
export const DraftInLanguage = DraftVersion.omit({ sections: true }).extend({
  language: z.string().describe('the language asked for'),
  languages: Languages,
  sections: z.array(DraftSectionInLanguage),
});
export type DraftInLanguage = z.infer<typeof DraftInLanguage>;

const DraftFacts = DraftVersion.omit({ sections: true });
const DraftsHead = z.object({ languages: z.array(z.string()), drafts: z.array(DraftFacts) });
type DraftsHead = z.infer<typeof DraftsHead>;

const Sections = collection('sections', z.object({ version: z.number().int(), sections: z.array(StoredSection) }));

export const drafts = perConsultation<DraftsHead, DraftsEntry>({
  name: 'drafts',
  version: 3,
  head: DraftsHead,
  collections: [Sections],
  open: (e) => ({ languages: e.data.languages, drafts: [] }),
  apply(head, e, at, docs) {
    switch (e.type) {
      case 'DraftPublished':
        if (head.drafts.some((d) => d.version === e.data.version)) return;
        head.drafts.push({ version: e.data.version, commentDeadline: e.data.commentDeadline, note: e.data.note ?? null, publishedAt: at.recordedAt });
        docs.put(Sections, docKey(at.consultationId, String(e.data.version)), { version: e.data.version, sections: e.data.sections }, e.data.version);
        return;
      case 'DeadlineExtended': {
        if (e.data.phase !== 'comments' || e.data.stakeholderId !== undefined) return;
        const d = head.drafts.find((x) => x.version === e.data.draftVersion);
        if (d) d.commentDeadline = e.data.deadline;
        return;
      }
      default:
        return;
    }
  },
}, async (head, reader, consultationId) => {
  const sections = new Map((await reader.list(Sections, `${consultationId}/`)).map((s) => [s.version, s.sections]));
  return {
    languages: head.languages,
    drafts: head.drafts.map((d) => ({ ...d, sections: (sections.get(d.version) ?? []).map((s) => draftSection(head.languages, s)) })),
  };
});

/** A stored section as the view shows it: every other language's translation or null, and what is missing. */
function draftSection(languages: readonly string[], s: z.infer<typeof StoredSection>): DraftSection {
  const given = s.translations ?? {};
  // keyed by the consultation's own languages (LanguageCodes, checked when it opened: never an Object.prototype name)
  const translations = Object.fromEntries(translationLanguages(languages).map((language) => {
    const t = Object.hasOwn(given, language) ? given[language] : undefined;
    return [language, t ? { heading: t.heading, text: t.text } : null];
  }));
  return { key: s.key, heading: s.heading, text: s.text, translations, missing: missingTranslations(languages, s) };
}

/** One draft in one of the consultation's languages: the first language's own text, or each section's translation (null where missing). */
export function draftInLanguage(draft: DraftVersion, languages: readonly string[], language: string): DraftInLanguage {
  const { sections, ...facts } = draft;
  const first = language === languages[0];
  return {
    ...facts,
    language,
    languages: [...languages],
    sections: sections.map((s) => {
      const t = first ? { heading: s.heading, text: s.text } : s.translations[language] ?? null;
      return { key: s.key, heading: t?.heading ?? null, text: t?.text ?? null, missing: t === null };
    }),
  };
}
