import { cpus } from 'node:os';
import { join } from 'node:path';
import { writeCsv } from '../../src/report/csv.js';
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
