/**
 * The DE solver's runs store in an out dir: runs.csv (merged by optimizer, config and seed),
 * details/*.json (plot material), sessions.json (every invocation), and merging another out dir.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellNumber, readCsv, writeCsv } from '../shared/report/index.js';
import { mergeRuns } from '../shared/runs.js';
import type { BestSettings, Schedule } from '../shared/de-solver/config.js';
import type { RunDetail, RunRow } from './results.js';

/** Columns of runs.csv, in order. */
export const RUN_COLUMNS: readonly (keyof RunRow)[] = [
  'optimizer', 'config', 'seed', 'steps', 't1', 't2', 'horizon', 'jump_step', 'jump_horizon',
  'loss_t2', 'loss_ko', 'loss_plain_after', 'teq', 'teq_censored', 'teq_over_t', 'success',
  'opt_ms_teq', 'ko_ms_record', 'ko_ms_fit', 'ko_ms_extrapolate', 'ko_ms_guard', 'ko_ms_honest',
  'speedup_paper', 'speedup_honest', 'error_to_growth', 'jumps_tried', 'jumps_accepted', 'steps_skipped',
  'optimizer_steps', 'plain_final_loss', 'final_loss', 'reached_plain_final', 'plain_wall_s', 'wall_s',
  'plain_cpu_s', 'cpu_s', 'end_to_end', 'end_to_end_cpu', 'end_to_end_steps', 'rk4_max_err', 'rk4_max_err_plain', 'plain_ms_per_step',
  'identical_prefix', 'backend',
];

/** One invocation of the experiment, as recorded in sessions.json. */
export interface Session {
  started: string;
  finished: string;
  /** The canonical CLI form of the run. */
  command: string;
  /** What was actually executed (process.argv, paths relative to the working directory). */
  invoked: string;
  optimizers: string[];
  seeds: number[];
  jobs: number;
  backend: string;
  cpu: string;
  cores: number;
  os: string;
  node: string;
  schedule: Schedule;
  best: BestSettings;
}


/** A row of runs.csv as read back. */
export type Row = Record<string, string>;

function toCells(r: RunRow): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of RUN_COLUMNS) {
    const v = r[c];
    out[c] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return out;
}

const keyOf = (r: Record<string, unknown> | RunRow) => `${String((r as Record<string, unknown>).optimizer)}|${String((r as Record<string, unknown>).config)}|${String((r as Record<string, unknown>).seed)}`;

/** One column of runs.csv rows, as numbers. */
export const col = (rows: Row[], c: string): number[] => rows.map((r) => cellNumber(r[c]));

/** runs.csv order: optimizer, config, seed. */
const byRun = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a.optimizer).localeCompare(String(b.optimizer)) || String(a.config).localeCompare(String(b.config)) || Number(a.seed) - Number(b.seed);

/**
 * Merges new rows into `runs.csv` of the out dir (a row with the same optimizer, config and seed is
 * replaced) and returns all rows. Refuses to mix schedules in one out dir.
 */
export function storeRuns(outDir: string, rows: RunRow[]): Row[] {
  const path = join(outDir, 'runs.csv');
  const old = readCsv(path);
  for (const r of rows) {
    const clash = old.find((o) => ['steps', 't1', 't2', 'horizon'].some((k) => Number(o[k]) !== r[k as keyof RunRow]));
    if (clash) {
      throw new Error(
        `${path} holds runs of another schedule (steps ${clash.steps}, t1 ${clash.t1}, t2 ${clash.t2}, T ${clash.horizon}); write these (steps ${r.steps}, t1 ${r.t1}, t2 ${r.t2}, T ${r.horizon}) to another --out`,
      );
    }
  }
  const all = mergeRuns<Record<string, string | number>>(old, rows.map(toCells), keyOf, byRun);
  writeCsv(path, all, [...RUN_COLUMNS]);
  return readCsv(path);
}

/**
 * Merges the runs, plot details and sessions of another out dir (made with the same schedule and
 * `best` settings, e.g. by a second process on other seeds) into `outDir`; a run of the same
 * optimizer, config and seed is replaced by the other folder's. Returns all rows.
 */
export function mergeFolder(outDir: string, from: string): Row[] {
  const other = readCsv(join(from, 'runs.csv'));
  if (!other.length) throw new Error(`${join(from, 'runs.csv')} holds no runs to merge`);
  const old = readCsv(join(outDir, 'runs.csv'));
  const sched = (r: Row) => ['steps', 't1', 't2', 'horizon'].map((k) => Number(r[k])).join('/');
  const clash = old.find((o) => sched(o) !== sched(other[0]));
  if (clash) throw new Error(`${from} holds runs of another schedule (${sched(other[0])}) than ${outDir} (${sched(clash)}); not merged`);
  const bestOf = (ss: Session[]) => new Set(ss.map((x) => JSON.stringify(x.best)));
  const mine = readSessions(outDir);
  const theirs = readSessions(from);
  const settings = new Set([...bestOf(mine), ...bestOf(theirs)]);
  if (mine.length && theirs.length && settings.size > 1) throw new Error(`${from} was made with other best settings than ${outDir}; not merged`);
  const all = mergeRuns(old, other, keyOf, byRun);
  writeCsv(join(outDir, 'runs.csv'), all, [...RUN_COLUMNS]);
  for (const [sub, ext] of [['details', '.json'], [join('tradeoff', 'jobs'), '.csv']] as const) {
    const dir = join(from, sub);
    if (!existsSync(dir)) continue;
    mkdirSync(join(outDir, sub), { recursive: true });
    for (const f of readdirSync(dir).filter((x) => x.endsWith(ext))) writeFileSync(join(outDir, sub, f), readFileSync(join(dir, f)));
  }
  writeSessions(outDir, [...mine, ...theirs.map((x) => ({ ...x, finished: `${x.finished} (written to ${from}, merged with --merge-from)` }))]);
  return readCsv(join(outDir, 'runs.csv'));
}

/** Schedule of the runs already in an out dir, if any. */
export function existingSchedule(outDir: string): Schedule | null {
  const r = readCsv(join(outDir, 'runs.csv'))[0];
  return r ? { steps: Number(r.steps), t1: Number(r.t1), t2: Number(r.t2), horizon: Number(r.horizon) } : null;
}

export function writeDetail(outDir: string, d: RunDetail): void {
  const dir = join(outDir, 'details');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${d.optimizer}-seed${d.seed}.json`), JSON.stringify(d));
}

export function readDetails(outDir: string): RunDetail[] {
  const dir = join(outDir, 'details');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunDetail)
    .sort((a, b) => a.seed - b.seed);
}

export function readSessions(outDir: string): Session[] {
  const p = join(outDir, 'sessions.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Session[]) : [];
}

export function writeSessions(outDir: string, sessions: Session[]): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sessions.json'), JSON.stringify(sessions, null, 2) + '\n');
}

