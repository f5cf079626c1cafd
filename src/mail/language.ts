// Which language a message is written in, and how its dates and counts read in it.
// A message is in the stakeholder's language when it is one of ours, else in the consultation's
// first language when that is, else in English. Dates are written in the recipient's language and
// in the consultation's time zone (Intl.DateTimeFormat); counts take that language's plural forms
// (Intl.PluralRules: English and Dutch one/other, Romanian one/few/other).
export const LANGUAGES = ['en', 'ro', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A bare language without a region formats dates as this locale (en: 24-hour clock, day before month). */
const DEFAULT_LOCALE: Record<Language, string> = { en: 'en-GB', ro: 'ro-RO', nl: 'nl-NL' };

function primary(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

function isLanguage(code: string): code is Language {
  return (LANGUAGES as readonly string[]).includes(code);
}

/** The recipient's language: `language` for the texts, `locale` for dates and numbers (the stakeholder's own tag when it names that language). */
export function chooseLanguage(stakeholderLanguage: string, consultationLanguages: readonly string[]): { language: Language; locale: string } {
  const own = primary(stakeholderLanguage);
  const language: Language = isLanguage(own) ? own : ([consultationLanguages[0] ?? ''].map(primary).find(isLanguage) ?? 'en');
  let locale = DEFAULT_LOCALE[language];
  if (own === language && stakeholderLanguage.includes('-')) {
    try {
      locale = Intl.getCanonicalLocales(stakeholderLanguage)[0] ?? locale;
    } catch {
      // not a valid tag: the language's default locale
    }
  }
  return { language, locale };
}

/**
 * Intl formatters by locale, time zone and style: building one costs far more than formatting with
 * it (a fan-out of reminders formats the same few thousands of times). Bounded: the keys come from
 * stakeholders' language tags and consultations' time zones.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.PluralRules | Intl.NumberFormat>();
const MAX_FORMATTERS = 500;

function cached<T extends Intl.DateTimeFormat | Intl.PluralRules | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
    formatters.set(key, f);
  }
  return f;
}

/** A deadline as the recipient reads it: weekday, date, time and zone, in the consultation's time zone. */
export function formatDeadline(instant: string, locale: string, timeZone: string): string {
  return cached(`deadline\t${locale}\t${timeZone}`, () => new Intl.DateTimeFormat(locale, {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short',
  })).format(new Date(instant));
}

/** A short date (for subjects), in the consultation's time zone. */
export function formatDate(instant: string, locale: string, timeZone: string): string {
  return cached(`date\t${locale}\t${timeZone}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone })).format(new Date(instant));
}

/** A date and time (a record's), short, in the consultation's time zone. */
export function formatDateTime(instant: string, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short',
  }).format(new Date(instant));
}

/** The forms of a counted phrase, by plural category; `other` is required, `#` stands for the number. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** The phrase for `n` in the locale's plural form, the number written as the locale writes it. */
export function plural(locale: string, n: number, forms: PluralForms): string {
  const form = forms[cached(`plural\t${locale}`, () => new Intl.PluralRules(locale)).select(n)] ?? forms.other;
  return form.replaceAll('#', cached(`number\t${locale}`, () => new Intl.NumberFormat(locale)).format(n));
}
