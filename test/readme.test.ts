import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS, KOOPMAN_TRAINING_DEFAULTS } from '../plugins/koopman-training/options.js';
import { SPECTRUM_MONITOR_DEFAULTS } from '../plugins/spectrum-monitor/options.js';

// The README's option tables are read against the defaults constants, so the two cannot drift.

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The rows (option → default cell) of the table after `<!-- options:NAME -->`. */
function table(name: string): Map<string, string> {
  const at = README.indexOf(`<!-- options:${name} -->`);
  if (at < 0) throw new Error(`README has no table marked <!-- options:${name} -->`);
  const rows = new Map<string, string>();
  const lines = README.slice(at).split('\n').slice(1);
  for (const line of lines.slice(2)) {
    if (!line.startsWith('|')) break;
    // split on | not preceded by a backslash
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const key = /^`([^`]+)`$/.exec(cells[0]);
    if (!key) throw new Error(`README table ${name}: first cell ${cells[0]} is not one option in backticks`);
    rows.set(key[1], cells[cells.length - 1]);
  }
  return rows;
}

/** A default as the README writes it: none for null, quoted strings, `{ a: 1 }` objects. */
function written(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(written).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${written(x)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return String(v);
}

const strip = (cell: string) => cell.replace(/^`|`$/g, '');

/** `others`: options outside the defaults constant, with the cell the README must give them. */
function expectTableMatches(name: string, defaults: Record<string, unknown>, others: Record<string, string> = {}): void {
  const rows = table(name);
  expect([...rows.keys()].sort()).toEqual([...Object.keys(defaults), ...Object.keys(others)].sort());
  for (const [key, cell] of Object.entries(others)) expect({ key, readme: rows.get(key) }).toEqual({ key, readme: cell });
  for (const [key, value] of Object.entries(defaults)) {
    expect({ key, readme: strip(rows.get(key)!) }).toEqual({ key, readme: written(value) });
  }
}

describe('README option tables', () => {
  it('koopmanTraining: every option and default as in KOOPMAN_TRAINING_DEFAULTS', () => {
    expectTableMatches('koopmanTraining', KOOPMAN_TRAINING_DEFAULTS, { window: 'auto', horizon: 'auto' });
  });

  it('guard: every option and default as in GUARD_DEFAULTS', () => {
    expectTableMatches('guard', GUARD_DEFAULTS);
  });

  it('spectrumMonitor: every option and default as in SPECTRUM_MONITOR_DEFAULTS', () => {
    expectTableMatches('spectrumMonitor', SPECTRUM_MONITOR_DEFAULTS);
  });
});

describe('README API section', () => {
  it('lists exactly the values the package entry exports (types are listed after "types")', async () => {
    const api = README.slice(README.indexOf('## API'), README.indexOf('## Layout'));
    const values = new Set<string>();
    for (const item of api.split(/\n- /).slice(1)) {
      const valuePart = item.split(/;\s*types?\b/)[0];
      for (const m of valuePart.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) values.add(m[1]);
    }
    const exported = Object.keys(await import('../plugins/index.js')).sort();
    expect([...values].sort()).toEqual(exported);
  });
});
