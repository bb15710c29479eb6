import { cpus, platform, release } from 'node:os';

/**
 * Markdown for the experiments' summary.md files: tables, the number formats the summaries share
 * ('–' for a value that is not finite), and the machine line every summary states.
 */

/** One table row: `| a | b |`. */
export function mdRow(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A table's header and separator lines: `| a | b |`, `|---|---|`. */
export function mdHeader(columns: readonly string[]): string[] {
  return [mdRow(columns), `|${columns.map(() => '---').join('|')}|`];
}

/** A whole table: header, separator and one line per row. */
export function mdTable(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [...mdHeader(columns), ...rows.map(mdRow)];
}

/** `v.toFixed(digits)`, or '–'. */
export const fixed = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');
/** A share as a whole percentage (0.25 → '25%'), or '–'. */
export const percent = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : '–');
/** `v.toPrecision(digits)`, or '–'. */
export const precision = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toPrecision(digits) : '–');
/** A ratio as a factor: '12×', '1.3×', or '–'. */
export const times = (v: number): string => (Number.isFinite(v) ? `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×` : '–');

/** What a summary says about the machine it ran on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown CPU', cores: c.length, os: `${platform()} ${release()}`, node: process.version };
}
