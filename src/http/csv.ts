// CSV for spreadsheets: representations with content negotiation on Accept, cells that a
// spreadsheet would run as a formula neutralised (OWASP "CSV injection"); and reading a CSV sent in
// the charset its Content-Type names (what Excel saves is seldom UTF-8).
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { AppError } from '../errors/catalogue.ts';
import { localTime } from '../domain/local-time.ts';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** A cell starting with one of these is read as a formula (or may start one) by Excel, LibreOffice and Google Sheets. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell that a spreadsheet would evaluate is prefixed with `'`, so it is shown as the text it is
 * (OWASP: prefix cells starting with `=`, `+`, `-`, `@`, tab or carriage return). Other cells are
 * returned unchanged.
 */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export type CsvCell = string | number | null;

/** A column of times (its header ends in " at" or "deadline"): each gets a twin column in the consultation's time zone. */
export function isTimeColumn(header: string): boolean {
  return /(^|\s)at$|deadline$/i.test(header);
}

/**
 * RFC 4180 CSV (CRLF line ends, every non-empty cell quoted, quotes doubled) with a header row and
 * a UTF-8 byte order mark, so that Excel reads the organisations' diacritics right. Every cell,
 * the header's included, is neutralised; null is an empty cell. After each column of times
 * (isTimeColumn) comes the same time in the consultation's time zone, ISO-8601 local time with its
 * offset, headed with the zone's name ("Made at (Europe/Amsterdam)"), as the JSON views give `…Local`.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>, options: { timeZone: string }): string {
  const times = header.flatMap((name, i) => (isTimeColumn(name) ? [i] : []));
  const local = (cell: CsvCell) => (typeof cell === 'string' && cell !== '' ? localTime(cell, options.timeZone) : null);
  const withTwins = <C>(row: readonly C[], twin: (cell: C) => C): C[] => row.flatMap((cell, i) => (times.includes(i) ? [cell, twin(cell)] : [cell]));
  const cells = (row: readonly CsvCell[]) => row.map((c) => (c === null ? '' : neutraliseFormula(String(c))));
  return stringify(
    [cells(withTwins(header, (name) => `${name} (${options.timeZone})`)), ...rows.map((row) => cells(withTwins(row, local)))],
    { bom: true, quoted: true, record_delimiter: 'windows' },
  );
}

/**
 * True when the Accept header prefers `text/csv` to `application/json`: each gets the quality of the
 * most specific media range that matches it (RFC 9110 §12.5.1), and JSON wins a tie, so JSON stays
 * the default (no header, `*\/*`, or both types listed with the same quality).
 * Hand-written on purpose: @fastify/accept-negotiator ignores media-range wildcards (`text/*`), and
 * `negotiator` breaks a tie by header order, which would let `text/csv, application/json` win CSV.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { range, quality: Number.isFinite(quality) ? quality : 0 };
  });
  const qualityOf = (type: string, subtype: string): number => {
    const match = ranges.find((r) => r.range === `${type}/${subtype}`)
      ?? ranges.find((r) => r.range === `${type}/*`)
      ?? ranges.find((r) => r.range === '*/*');
    return match?.quality ?? 0;
  };
  const csv = qualityOf('text', 'csv');
  return csv > 0 && csv > qualityOf('application', 'json');
}

// ---- reading: the charset a CSV was sent in ----

/** The charsets the CSV import reads, by the names (and aliases) a Content-Type may give them. */
const CHARSET_ALIASES = new Map<string, string>([
  ['utf-8', 'utf-8'], ['utf8', 'utf-8'], ['us-ascii', 'us-ascii'], ['ascii', 'us-ascii'],
  ...Array.from({ length: 9 }, (_, i): [string, string][] => [[`windows-${1250 + i}`, `windows-${1250 + i}`], [`cp${1250 + i}`, `windows-${1250 + i}`]]).flat(),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16].flatMap((n): [string, string][] => [[`iso-8859-${n}`, `iso-8859-${n}`], [`iso8859-${n}`, `iso-8859-${n}`]]),
  ['latin1', 'iso-8859-1'], ['latin2', 'iso-8859-2'],
]);

/** The charsets the import reads, for error messages and the API document. */
export const CSV_CHARSETS = [...new Set(CHARSET_ALIASES.values())];

/** What Excel saves "CSV" in, by default, in Western Europe and in Central Europe (Romania, Poland, …). */
const EXCEL_CHARSETS = ['windows-1252', 'windows-1250'];

/** The `charset` parameter of a Content-Type, lower case, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const charset = match?.[1] ?? match?.[2];
  return charset === undefined ? undefined : charset.trim().toLowerCase();
}

/**
 * The text of a CSV sent as bytes in `charset` (default UTF-8), decoded with iconv-lite. A byte
 * order mark decides, whatever the charset says (as the WHATWG Encoding Standard's decode does):
 * Excel's "CSV UTF-8" starts with one. Bytes that are not valid in the charset (a malformed UTF-8
 * sequence; a byte a single-byte charset leaves undefined, or one that would be a C1 control
 * character) are refused with INVALID_CSV_ENCODING naming the first line that has one (lines are
 * counted at line feeds, from 1) and suggesting the charset to send; a charset the import does not
 * read is UNSUPPORTED_CHARSET.
 */
export function decodeCsv(bytes: Buffer, contentType: string | undefined): string {
  const declared = charsetOf(contentType);
  if (bytes.subarray(0, 3).equals(UTF8_BOM)) return decodeUtf8(bytes.subarray(3), declared !== undefined && CHARSET_ALIASES.get(declared) !== 'utf-8' ? declared : undefined);
  if (bytes.subarray(0, 2).equals(UTF16LE_BOM)) return iconv.decode(bytes.subarray(2), 'utf-16le');
  if (bytes.subarray(0, 2).equals(UTF16BE_BOM)) return iconv.decode(bytes.subarray(2), 'utf-16be');
  const charset = declared === undefined ? 'utf-8' : CHARSET_ALIASES.get(declared);
  if (charset === undefined || !iconv.encodingExists(charset)) {
    throw new AppError('UNSUPPORTED_CHARSET', `the CSV import does not read charset=${declared}; send it as one of ${CSV_CHARSETS.join(', ')}`, {
      charset: declared, supported: CSV_CHARSETS,
    });
  }
  if (charset === 'utf-8') return decodeUtf8(bytes);
  const text = iconv.decode(bytes, charset);
  const bad = charset === 'us-ascii' ? /[^\u0000-\u007F]/ : /[\uFFFD\u0080-\u009F]/;
  const at = text.search(bad);
  if (at < 0) return text;
  // a single-byte charset decodes one character per byte: the index is the byte's offset
  const line = lineAt(text, at);
  const byte = `0x${bytes[at]!.toString(16).toUpperCase().padStart(2, '0')}`;
  // ISO-8859-1 and ASCII are what a client names when it means "Excel's", which is windows-1252
  const suggested = isUtf8(bytes) ? ['utf-8'] : charset === 'us-ascii' || charset === 'iso-8859-1' ? EXCEL_CHARSETS : [];
  const advice = suggested[0] === 'utf-8' ? 'the file is valid UTF-8: send it with charset=utf-8'
    : suggested.length > 0 ? `if this file came from Excel, send it with charset=${EXCEL_CHARSETS[0]} (or ${EXCEL_CHARSETS[1]} for Central European languages)`
      : 'send it with the charset it was saved in';
  throw new AppError('INVALID_CSV_ENCODING', `line ${line} is not valid ${charset} (byte ${byte}); ${advice}`, { line, charset, suggestedCharsets: suggested });
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const UTF8_BOM = Buffer.from([0xEF, 0xBB, 0xBF]);
const UTF16LE_BOM = Buffer.from([0xFF, 0xFE]);
const UTF16BE_BOM = Buffer.from([0xFE, 0xFF]);

/** UTF-8, strictly; `overridden`: the other charset the Content-Type named, which a UTF-8 byte order mark overrode. */
function decodeUtf8(bytes: Buffer, overridden?: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const line = firstInvalidUtf8Line(bytes);
    throw new AppError('INVALID_CSV_ENCODING',
      `line ${line} is not valid UTF-8${overridden ? ` (the file starts with a UTF-8 byte order mark, which decides over charset=${overridden})` : ''}; `
      + `if this file came from Excel, send it with charset=${EXCEL_CHARSETS[0]} (or ${EXCEL_CHARSETS[1]} for Central European languages)`,
      { line, charset: 'utf-8', suggestedCharsets: EXCEL_CHARSETS });
  }
}

/** The number (from 1) of the first line, counted at line feeds, that is not valid UTF-8. */
function firstInvalidUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0A, start);
    try {
      decoder.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
    } catch {
      return line;
    }
    if (end < 0) return line; // not reached: the whole was invalid, so some line is
    start = end + 1;
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
