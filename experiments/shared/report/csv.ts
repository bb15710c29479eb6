import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** Writes rows (objects with the same keys) as CSV with a header, creating folders as needed. */
export function writeCsv(path: string, rows: Record<string, unknown>[], columns?: string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const cols = columns ?? (rows.length ? Object.keys(rows[0]) : []);
  writeFileSync(path, stringify(rows, { header: true, columns: cols, cast: { number: formatNumber, boolean: (b: boolean) => (b ? 'true' : 'false') } }));
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return '';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}
