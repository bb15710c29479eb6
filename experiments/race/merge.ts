import { join } from 'node:path';
import { cellNumber, readCsv } from '../shared/report/csv-read.js';
import { writeCsv } from '../shared/report/csv.js';
import type { RaceRow } from './race.js';
import type { RaceSettings } from './settings.js';
import { writeSummary } from './summary.js';

const TEXT_COLUMNS = new Set(['workload', 'optimizer', 'method', 'best_peer', 'horizons', 'schedule', 'loss_by_eval', 'wall_s_by_eval', 'cpu_s_by_eval']);

/** Rows of a runs.csv written by the race, with numbers parsed back (empty cells are NaN). */
export function readRaceRows(path: string): RaceRow[] {
  return readCsv(path).map((r) => {
    const o: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(r)) o[k] = TEXT_COLUMNS.has(k) ? v : v === 'inf' ? Infinity : cellNumber(v);
    return o as unknown as RaceRow;
  });
}

/**
 * Merges the runs of several race output folders (parts run with different schedules, one
 * process at a time) into `s.out`: one runs.csv and a summary over all of them. `parts` describes
 * each folder's schedule for the summary.
 */
export function mergeRaceFolders(folders: string[], s: RaceSettings, command: string, backend: string, parts: string[]): RaceRow[] {
  const rows = folders.flatMap((f) => readRaceRows(join(f, 'runs.csv')));
  // Older parts lack the step speed-up: plain's steps to the target ÷ the method's, per seed.
  for (const r of rows) {
    if (r.step_speedup_vs_plain !== undefined && !Number.isNaN(r.step_speedup_vs_plain)) continue;
    const p = rows.find((x) => x.workload === r.workload && x.optimizer === r.optimizer && x.seed === r.seed && x.method === 'plain');
    r.step_speedup_vs_plain = !p || Number.isNaN(r.steps_to_target) ? 0 : p.steps_to_target / r.steps_to_target;
  }
  writeCsv(join(s.out, 'runs.csv'), rows as unknown as Record<string, unknown>[]);
  writeSummary(rows, s, command, backend, parts);
  return rows;
}
