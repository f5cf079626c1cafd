// The pre-pass before email-reply-parser: where the quoted history starts in the replies that the
// library does not recognise (Dutch and Romanian attribution lines, Outlook's header blocks in those
// languages) and the mobile sign-offs it does not strip. The reply is what stands before the first
// line found here; the library then strips what it knows itself (English and other languages,
// "> " quotes, signatures).

/** An attribution line (Gmail and Apple Mail may wrap it over two lines; it is matched on the line and the next one joined). */
const ATTRIBUTIONS: readonly RegExp[] = [
  /^On\s.+\swrote:$/i, // en: On Tue, 2 Mar 2027 at 10:15, Name <address> wrote:
  /^Op\s.+\sschreef\s.*:$/i, // nl (Gmail): Op di 2 mrt 2027 om 10:15 schreef Name <address>:
  /^Op\s.+\sheeft\s.+\shet volgende geschreven:$/i, // nl (Apple Mail): Op 2 mrt 2027, om 10:15 heeft Name <address> het volgende geschreven:
  /^[ÎI]n\s.+\sa scris:$/i, // ro (Gmail): În mar., 2 mar. 2027 la 10:15, Name <address> a scris:
  /^Pe\s.+\sa scris:$/i, // ro (Apple Mail): Pe 2 mar. 2027, la 10:15, Name <address> a scris:
];

/** The first line of an Outlook header block, and the line that must follow it within a few lines. */
const OUTLOOK_FROM = /^\*?(From|Van|De la|De)\s?:\*?\s.+/i;
const OUTLOOK_SENT = /^\*?(Sent|Date|Verzonden|Datum|Trimis|Data)\s?:\*?\s.+/i;
const OUTLOOK_BLOCK_LINES = 4;

/** Sign-offs of mobile mail apps: they and what follows are not the reply. */
const SIGN_OFFS: readonly RegExp[] = [
  /^Sent from my (iPhone|iPad|Android|mobile|phone)\b.*$/i,
  /^Verzonden (vanaf|met) mijn (iPhone|iPad|Android|telefoon|mobiel)\b.*$/i,
  /^Verstuurd vanaf mijn (iPhone|iPad|Android|telefoon|mobiel)\b.*$/i,
  /^Trimis de pe (iPhone|iPad|Android|telefonul)(-ul)?( meu)?\b.*$/i,
];

/**
 * Closing salutations in Dutch and Romanian (email-reply-parser knows the English "Regards"): the
 * signature starts there when no more than a few lines (a name, a title) follow.
 */
const VALEDICTIONS: readonly RegExp[] = [
  /^(met\s+)?(vriendelijke|hartelijke|beste)\s+groet(en)?[,.!]?$/i,
  /^(groet(en|jes)?|mvg|hartelijke groet)[,.!]?$/i,
  /^(cu\s+(stim[ăa]|respect|drag|considera[țţt]ie|bine)|toate\s+cele\s+bune)[,.!]?$/i,
];
const SIGNATURE_LINES = 6;

/** Outlook's line above a header block. */
const SEPARATOR = /^_{10,}$/;

function unquoted(line: string): string {
  return line.trim();
}

/** The index of the first line where quoted history (or a sign-off) starts, or null. */
export function quoteStart(lines: readonly string[]): number | null {
  for (let i = 0; i < lines.length; i++) {
    const line = unquoted(lines[i]!);
    if (line === '') continue;
    const joined = i + 1 < lines.length ? `${line} ${unquoted(lines[i + 1]!)}` : line;
    if (ATTRIBUTIONS.some((re) => re.test(line) || re.test(joined))) return i;
    if (SIGN_OFFS.some((re) => re.test(line))) return i;
    if (SEPARATOR.test(line) || OUTLOOK_FROM.test(line)) {
      const from = SEPARATOR.test(line) ? i + 1 : i;
      const head = lines.slice(from, from + OUTLOOK_BLOCK_LINES + 1).map(unquoted);
      const at = head.findIndex((l) => OUTLOOK_FROM.test(l));
      if (at >= 0 && head.slice(at + 1).some((l) => OUTLOOK_SENT.test(l))) return i;
    }
  }
  return null;
}

/** The index of the closing salutation that starts the signature at the end of these lines, or null. */
export function signatureStart(lines: readonly string[]): number | null {
  for (let i = 0; i < lines.length; i++) {
    if (!VALEDICTIONS.some((re) => re.test(lines[i]!.trim()))) continue;
    if (lines.slice(i + 1).filter((l) => l.trim() !== '').length <= SIGNATURE_LINES) return i;
  }
  return null;
}

/** The text before the first quote header or sign-off found by the pre-pass, without a Dutch or Romanian signature (all of it when there is none). */
export function cutAtQuoteHeader(text: string): string {
  let lines = text.split('\n');
  const at = quoteStart(lines);
  if (at !== null) lines = lines.slice(0, at);
  const signature = signatureStart(lines);
  return (signature === null ? lines : lines.slice(0, signature)).join('\n');
}
