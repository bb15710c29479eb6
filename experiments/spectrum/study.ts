/** The spectrum study: records every run once, replays every stopping method on it, and writes the CSVs, plots and summary. */
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/index.js';
import { loadEmbeddedMnist } from '../shared/data/index.js';
import { ProgressBar, writeCsv } from '../shared/report/index.js';
import { pushRows } from './csv-rows.js';
import { prepareStudyTensors } from './data.js';
import { fig2Numbers, fig2Spectra, windowLengths } from './fig2.js';
import { firstLossDrop, type RunResult } from './measures.js';
import { writeStudyMeta } from './meta.js';
import { flagModel, replayMethods, replayModel } from './methods.js';
import { BAD_INITS } from './model.js';
import { writePlots } from './plots.js';
import { recordRun, type RunLog, type RunSpec } from './record.js';
import { runComparison, writeComparison } from './comparison-report.js';
import type { SpectrumStudySettings } from './settings.js';
import { writeSummary } from './summary.js';

/** Every run of a study, in the order they are trained. */
export function studyRuns(s: SpectrumStudySettings): (RunSpec & { epochs: number })[] {
  const runs: (RunSpec & { epochs: number })[] = [];
  const badEpochs = Math.max(1, Math.ceil(s.badEpochsFraction * s.epochs));
  for (const model of s.models) {
    for (let i = 0; i < s.seeds; i++) {
      const seed = s.seedOffset + i;
      for (const init of s.inits) runs.push({ model, init, seed, epochs: s.epochs });
      if (s.bad) for (const init of BAD_INITS) runs.push({ model, init, seed, epochs: badEpochs });
    }
  }
  return runs;
}

/**
 * Runs the study: records every run once (losses of every w_t and the weights), replays each
 * through the spectrum monitor, earlyStopping(3), earlyStopping(10) and the full budget, computes
 * the Fig. 2 spectra, and writes CSV, SVG, summary.md and summary.csv into `s.out`.
 */
export async function runSpectrumStudy(s: SpectrumStudySettings, command: string): Promise<{ results: RunResult[]; summaryPath: string }> {
  const started = performance.now();
  const backend = await selectBackend(s.backend);
  if (s.models.includes('cnn') && !tf.getKernel('Conv2DBackpropFilter', backend.name)) {
    throw new Error(
      `model 'cnn' needs the Conv2DBackpropFilter kernel, which the '${backend.name}' backend does not have in Node; ` +
        `install @tensorflow/tfjs-node (backend 'tensorflow'), or use --backend cpu (about 280 s per epoch of 2000 samples)`,
    );
  }
  mkdirSync(join(s.out, 'plots'), { recursive: true });
  const ds = loadEmbeddedMnist({ seed: s.splitSeed, trainSize: 8000, testSize: 2000 });
  const runs = studyRuns(s);
  const totalEpochs = runs.reduce((a, r) => a + r.epochs, 0);
  const bar = new ProgressBar(totalEpochs, 'spectrum');
  const lossWindows = windowLengths(s.lossWindows, s.epochs);
  const weightWindows = windowLengths(s.weightWindows, s.epochs);
  const results: RunResult[] = [];
  const epochRows: Record<string, unknown>[] = [];
  const decisionRows: Record<string, unknown>[] = [];
  const monitorRows: Record<string, unknown>[] = [];
  const fig2Rows: Record<string, unknown>[] = [];
  const statRows: Record<string, unknown>[] = [];
  const dummy = flagModel();
  const plotted = new Set<string>();
  const logs: RunLog[] = [];
  try {
    for (const model of s.models) {
      const sizes = { epochSize: s.epochSize, trainEvalSize: s.trainEvalSize, valSize: s.valSize, testSize: s.testSize };
      const tensors = prepareStudyTensors(ds, sizes, model, s.splitSeed);
      const needsModel = [s.monitor, ...Object.values(s.alternatives)].some((m) => m.observables?.includes('weights'));
      const replay = needsModel ? replayModel(model) : null;
      try {
        for (const run of runs.filter((r) => r.model === model)) {
          const name = `${run.model} ${run.init} seed ${run.seed}`;
          const log = await recordRun(
            tensors,
            run,
            { epochs: run.epochs, batchSize: s.batchSize, learningRate: s.learningRate, optimizer: s.optimizer },
            true,
            () => bar.tick(1, name),
          );
          const { outcomes, alternatives, decisions } = await replayMethods(log, s, { dummy, replay });
          const fig2 = fig2Spectra(log, lossWindows, weightWindows);
          const weightDrift = relativeDrift(log.weights!);
          const firstEpochMove = distance(log.weights![0], log.weights![1]) / distance(log.weights![0], log.weights![log.weights!.length - 1]);
          log.weights = null; // the weights are not needed any more: free them before the next run
          logs.push(log);
          results.push({ spec: run, bad: log.bad, budget: run.epochs, points: log.points, outcomes, alternatives, fig2: fig2.map(fig2Numbers), weightDrift, firstEpochMove });
          pushRows(log, { ...outcomes, ...Object.fromEntries(Object.entries(alternatives).map(([k, v]) => [`spectrum (${k})`, v])) }, decisions, fig2, { epochRows, decisionRows, monitorRows, fig2Rows });
          const last = results[results.length - 1];
          statRows.push({
            model: run.model,
            init: run.init,
            seed: run.seed,
            bad: log.bad,
            first_epoch_loss_drop: firstLossDrop(last),
            first_epoch_weight_move: firstEpochMove,
            weight_drift: weightDrift,
          });
          const key = `${run.model}-${run.init}`;
          if (!log.bad && !plotted.has(key)) {
            plotted.add(key);
            writePlots(s.out, log, fig2);
          }
        }
      } finally {
        tensors.dispose();
        replay?.dispose();
      }
    }
  } finally {
    dummy.dispose();
  }
  bar.finish(`${runs.length} runs`);
  writeCsv(join(s.out, 'runs.csv'), epochRows);
  writeCsv(join(s.out, 'decisions.csv'), decisionRows);
  writeCsv(join(s.out, 'monitor-decisions.csv'), monitorRows);
  writeCsv(join(s.out, 'fig2.csv'), fig2Rows);
  writeCsv(join(s.out, 'run-stats.csv'), statRows);
  const meta = { command, backend: backend.name, backendNotes: backend.notes, wallSeconds: (performance.now() - started) / 1000, loadAverage: loadavg(), finished: new Date().toISOString() };
  writeStudyMeta(s.out, meta);
  const summaryPath = writeSummary(s, results, meta);
  writeComparison(s, await runComparison(s, logs));
  return { results, summaryPath };
}

/** ‖w_last − w_0‖ / ‖w_0‖: how far training moved the weights, relative to where they started. */
export function relativeDrift(weights: Float32Array[]): number {
  const a = weights[0];
  const b = weights[weights.length - 1];
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (b[i] - a[i]) ** 2;
    den += a[i] * a[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Infinity;
}

function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (b[i] - a[i]) ** 2;
  return Math.sqrt(s);
}
