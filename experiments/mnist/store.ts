/**
 * The MNIST runs store: `runs.json` in the output folder holds every run of every session made
 * with the same settings (seeds appended across sessions and folders); other settings are refused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mergeRuns } from '../shared/runs.js';
import type { RunRow } from './measure.js';
import type { MnistSettings } from '../shared/mnist/settings.js';

export interface RunsFile {
  settings: string;
  commands: string[];
  rows: RunRow[];
}

/** The runs already in `path`; throws when they were made with other settings than `s`. */
export function readRuns(path: string, s: MnistSettings): { settings: string; old: RunsFile } {
  const settings = JSON.stringify({ ...s, seeds: undefined, seedOffset: undefined, out: undefined });
  if (!existsSync(path)) return { settings, old: { settings, commands: [], rows: [] } };
  // JSON has no NaN: undefined measures were written as null
  const old = JSON.parse(readFileSync(path, 'utf8'), (_k, v) => (v === null ? NaN : v)) as RunsFile;
  if (old.settings !== settings) {
    throw new Error(`${path} holds runs made with other settings (${old.settings}); use another --out folder`);
  }
  return { settings, old };
}

/**
 * Adds this invocation's rows to `runs.json` in the output folder (replacing rows of the same
 * seed and configuration) and returns every row with the commands that made them. Runs made
 * with other settings are refused rather than mixed.
 */
export function storeMnistRuns(path: string, rows: RunRow[], command: string, s: MnistSettings): { rows: RunRow[]; commands: string[] } {
  const { settings, old } = readRuns(path, s);
  const all = mergeRuns(old.rows, rows, (r) => `${r.config}:${r.seed}`, (a, b) => a.seed - b.seed || a.config.localeCompare(b.config));
  const commands = old.commands.includes(command) ? old.commands : [...old.commands, command];
  writeFileSync(path, JSON.stringify({ settings, commands, rows: all }, null, 1));
  return { rows: all, commands };
}
