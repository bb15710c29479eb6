import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedMnist } from '../shared/data/index.js';
import { ProgressBar, readCsv, writeCsv } from '../shared/report/index.js';
import { prepareStudyTensors } from './data.js';
import { fig2Spectra, windowLengths } from './fig2.js';
import type { Init, StudyModel } from './model.js';
import { recordRun } from './record.js';
import type { SpectrumStudySettings } from './settings.js';
import { pushRows } from './csv-rows.js';
import { firstLossDrop, type RunResult } from './measures.js';
import { relativeDrift } from './study.js';

/**
 * Trains further runs of the initialisations `inits` (every network and seed of `s`, bad runs for
 * ⌈badEpochsFraction · epochs⌉ epochs, good ones for the whole budget) and merges their rows into
 * the runs.csv, fig2.csv and run-stats.csv of a finished study in `s.out` (rows of the same runs
 * are replaced), so `--report-only` replays every method on the old and the new runs together.
 * Returns the number of runs added. Cost: one recorded run per network × seed × init.
 */
export async function addStudyRuns(s: SpectrumStudySettings, inits: Init[], bad: boolean): Promise<number> {
  for (const f of ['runs.csv', 'fig2.csv', 'run-stats.csv']) {
    if (!existsSync(join(s.out, f))) throw new Error(`${join(s.out, f)} not found: --add-runs extends a finished study`);
  }
  const ds = loadEmbeddedMnist({ seed: s.splitSeed, trainSize: 8000, testSize: 2000 });
  const epochs = bad ? Math.max(1, Math.ceil(s.badEpochsFraction * s.epochs)) : s.epochs;
  const specs: { model: StudyModel; init: Init; seed: number }[] = [];
  for (const model of s.models) for (let i = 0; i < s.seeds; i++) for (const init of inits) specs.push({ model, init, seed: s.seedOffset + i });
  const bar = new ProgressBar(specs.length * epochs, 'add-runs');
  const rows = { epochRows: [] as Record<string, unknown>[], decisionRows: [], monitorRows: [], fig2Rows: [] as Record<string, unknown>[] };
  const statRows: Record<string, unknown>[] = [];
  for (const model of s.models) {
    const sizes = { epochSize: s.epochSize, trainEvalSize: s.trainEvalSize, valSize: s.valSize, testSize: s.testSize };
    const tensors = prepareStudyTensors(ds, sizes, model, s.splitSeed);
    try {
      for (const spec of specs.filter((x) => x.model === model)) {
        const log = await recordRun(tensors, spec, { epochs, batchSize: s.batchSize, learningRate: s.learningRate, optimizer: s.optimizer }, true, () =>
          bar.tick(1, `${spec.model} ${spec.init} seed ${spec.seed}`),
        );
        const fig2 = fig2Spectra(log, windowLengths(s.lossWindows, s.epochs), windowLengths(s.weightWindows, s.epochs));
        const w = log.weights!;
        const move = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((acc, v, i) => acc + (b[i] - v) ** 2, 0));
        statRows.push({
          model: spec.model,
          init: spec.init,
          seed: spec.seed,
          bad: log.bad,
          first_epoch_loss_drop: firstLossDrop({ points: log.points } as RunResult),
          first_epoch_weight_move: move(w[0], w[1]) / move(w[0], w[w.length - 1]),
          weight_drift: relativeDrift(w),
        });
        log.weights = null;
        pushRows(log, {}, [], fig2, rows);
      }
    } finally {
      tensors.dispose();
    }
  }
  bar.finish(`${specs.length} runs added`);
  const key = (r: Record<string, unknown>) => `${r.model}|${r.init}|${r.seed}`;
  const added = new Set(specs.map((x) => key(x)));
  const merge = (file: string, fresh: Record<string, unknown>[]) => {
    const old = readCsv(join(s.out, file)).filter((r) => !added.has(key(r)));
    writeCsv(join(s.out, file), [...old, ...fresh], Object.keys(old[0] ?? fresh[0]));
  };
  merge('runs.csv', rows.epochRows);
  merge('fig2.csv', rows.fig2Rows);
  merge('run-stats.csv', statRows);
  return specs.length;
}
