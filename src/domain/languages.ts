// The consultation's languages and a draft's translations: one place for the rules that decide
// (publish-draft) and the drafts view share.
//
// A consultation declares its languages when it opens; the first is the language of every
// section's own `heading` and `text`, the others are the languages a section may be translated
// into (`translations: { nl: { heading, text } }`). A translation left out is missing: views show
// it as missing, never as another language's text.

/** The part of a section these rules look at. */
export interface Translated {
  key: string;
  translations?: Readonly<Record<string, unknown>> | undefined;
}

/** The languages a section may be translated into: every declared language but the first. */
export function translationLanguages(languages: readonly string[]): string[] {
  return languages.slice(1);
}

/** Translations a draft may not carry: into the first language, or into a language the consultation does not declare. */
export function translationProblems(languages: readonly string[], sections: readonly Translated[]): {
  inFirstLanguage: { sectionKey: string; language: string }[];
  notOffered: { sectionKey: string; language: string }[];
} {
  const first = languages[0];
  const others = new Set(translationLanguages(languages));
  const inFirstLanguage: { sectionKey: string; language: string }[] = [];
  const notOffered: { sectionKey: string; language: string }[] = [];
  for (const s of sections) {
    for (const language of Object.keys(s.translations ?? {})) {
      if (language === first) inFirstLanguage.push({ sectionKey: s.key, language });
      else if (!others.has(language)) notOffered.push({ sectionKey: s.key, language });
    }
  }
  return { inFirstLanguage, notOffered };
}

/** The consultation's other languages the section has no translation into, in the consultation's order. */
export function missingTranslations(languages: readonly string[], section: Translated): string[] {
  const given = section.translations ?? {};
  return translationLanguages(languages).filter((l) => !Object.hasOwn(given, l));
}
