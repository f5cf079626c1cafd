// A mail's header lines as mailparser's `headerLines` give them, in order (repeated headers kept).

/** The lowercased name and the raw, possibly folded, line. */
export interface HeaderLine {
  key: string;
  line: string;
}

/** The value of a header line, unfolded and trimmed. */
export function headerValue(line: string): string {
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** The first value of a header, or undefined. */
export function firstHeader(headers: readonly HeaderLine[], key: string): string | undefined {
  const h = headers.find((x) => x.key === key);
  return h ? headerValue(h.line) : undefined;
}
