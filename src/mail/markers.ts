// The line every message opens with, in its language: a reply written above it is the reply, what
// follows is the quoted message. The inbound parser (the replies issue) cuts a reply on any of them.
import type { Language } from './language.ts';

export const REPLY_MARKERS: Readonly<Record<Language, string>> = {
  en: '-- Please write your reply above this line --',
  ro: '-- Vă rugăm să scrieți răspunsul deasupra acestei linii --',
  nl: '-- Schrijf uw antwoord boven deze regel --',
};

/** Every marker, in any language: a reply is cut at the first line that holds one. */
export const ALL_REPLY_MARKERS: readonly string[] = Object.values(REPLY_MARKERS);
