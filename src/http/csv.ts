// CSV representations for spreadsheets: content negotiation on Accept, and cells that a
// spreadsheet would run as a formula neutralised (OWASP "CSV injection").
import { stringify } from 'csv-stringify/sync';

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

/**
 * RFC 4180 CSV (CRLF line ends, every non-empty cell quoted, quotes doubled) with a header row and
 * a UTF-8 byte order mark, so that Excel reads the organisations' diacritics right. Every cell,
 * the header's included, is neutralised; null is an empty cell.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  const cells = (row: readonly CsvCell[]) => row.map((c) => (c === null ? '' : neutraliseFormula(String(c))));
  return stringify([cells(header), ...rows.map(cells)], { bom: true, quoted: true, record_delimiter: 'windows' });
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
