import { existsSync, readFileSync } from 'node:fs';

/** Parses CSV text with a header row (quoted fields with "" escapes allowed) into objects of strings. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      records.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    records.push(row);
  }
  const [header, ...body] = records.filter((r) => r.length > 1 || r[0] !== '');
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Reads a CSV file written by writeCsv, or [] when it does not exist. */
export function readCsv(path: string): Record<string, string>[] {
  return existsSync(path) ? parseCsv(readFileSync(path, 'utf8')) : [];
}

/** A CSV cell as a number: '' is NaN, 'inf'/'-inf' are infinities, true/false are 1/0. */
export function cellNumber(v: string | undefined): number {
  if (v === undefined || v === '') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === 'true') return 1;
  if (v === 'false') return 0;
  return Number(v);
}
