import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cellNumber, readCsv } from '../shared/report/csv-read.js';
import { writeCsv } from '../shared/report/csv.js';
import { loadSplits, runSeed, type ReplacementRow } from './run.js';
import type { DmdLayerSettings } from './settings.js';
import { writeResults } from './summary.js';

/**
 * Runs the experiment: per data set and seed, train the MLP and replace every hidden layer in
 * turn for every delays / rank; rows are appended to `out/runs.csv` as they come, and the
 * summary files are written at the end.
 */
export function runDmdLayerExperiment(s: DmdLayerSettings, command: string, backend: string, log: (line: string) => void = () => undefined): { rows: ReplacementRow[]; files: string[] } {
  const t0 = performance.now();
  const rows: ReplacementRow[] = [];
  const sources: Record<string, string> = {};
  for (const ds of s.datasets) {
    const d = ds === 'mnist' ? s.mnist : s.yinYang;
    const data = loadSplits(ds, d);
    sources[ds] = data.source;
    for (let seed = s.seedOffset; seed < s.seedOffset + s.seeds; seed++) {
      runSeed(ds, data, d, s, seed, (row) => {
        rows.push(row);
        writeCsv(join(s.out, 'runs.csv'), rows as unknown as Record<string, unknown>[]);
        log(`${ds} seed ${seed} ${row.layer} delays ${row.delays} rank ${row.rank_rule} (kept ${row.rank}): ${(100 * row.original_acc).toFixed(1)} % → ${(100 * row.replaced_acc).toFixed(1)} %`);
      });
    }
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const files = writeResults(s.out, rows, s, { command, backend, machine, sources, seconds: (performance.now() - t0) / 1000 });
  return { rows, files };
}

const TEXT_COLUMNS = new Set(['dataset', 'layer', 'rank_rule', 'singular_values']);

/**
 * Rebuilds summary.csv, summary.md and the plots from `out/runs.csv` without training (e.g. after
 * the summary writer changed). The run's command is read back from the existing summary.md.
 */
export function resummariseDmdLayer(s: DmdLayerSettings, rebuiltBy: string, backend: string): string[] {
  const rows = readCsv(join(s.out, 'runs.csv')).map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = TEXT_COLUMNS.has(k) ? v : cellNumber(v);
    return o as unknown as ReplacementRow;
  });
  if (!rows.length) throw new Error(`${join(s.out, 'runs.csv')} holds no rows`);
  const md = join(s.out, 'summary.md');
  const old = existsSync(md) ? readFileSync(md, 'utf8') : '';
  const command = /^Command: `([^`]+)`/m.exec(old)?.[1] ?? 'unknown';
  const minutes = /^Command: .*, ([\d.]+) min/m.exec(old)?.[1];
  const datasets = s.datasets.filter((d) => rows.some((r) => r.dataset === d));
  const sources: Record<string, string> = {};
  for (const ds of datasets) sources[ds] = loadSplits(ds, ds === 'mnist' ? s.mnist : s.yinYang).source;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  return writeResults(s.out, rows, { ...s, datasets }, { command, backend, machine, sources, rebuiltBy, seconds: minutes ? 60 * Number(minutes) : undefined });
}
