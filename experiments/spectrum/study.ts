import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { eigenvalueSvg, type Decision } from '../../plugins/spectrum-monitor/index.js';
import { selectBackend } from '../../src/backend/index.js';
import { loadEmbeddedMnist } from '../shared/data/index.js';
import { ProgressBar, svgPlot, writeCsv } from '../shared/report/index.js';
import { prepareStudyTensors } from './data.js';
import { writeStudyMeta } from './reload.js';
import { runComparison, writeComparison } from './comparison-report.js';
import { FIG2_NEAR_ONE, fig2Numbers, fig2Spectra, windowLengths, type WindowSpectrum } from './fig2.js';
import { BAD_INITS, buildStudyModel, type StudyModel } from './model.js';
import { recordRun, type RunLog, type RunSpec } from './record.js';
import { epochLogs, replayEarlyStopping, replaySpectrumMonitor, type ReplayOutcome } from './replay.js';
import type { SpectrumStudySettings } from './settings.js';
import { firstLossDrop, writeSummary, type MethodName, type RunResult } from './summary.js';

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

/** Replays one recorded run through every stopping method. */
export async function replayMethods(
  log: RunLog,
  s: Pick<SpectrumStudySettings, 'monitor' | 'alternatives'>,
  models: { dummy: tf.LayersModel; replay: tf.LayersModel | null },
): Promise<{ outcomes: Record<MethodName, ReplayOutcome>; alternatives: Record<string, ReplayOutcome>; decisions: Decision[] }> {
  const logs = log.fitLoss.map((_, e) => epochLogs(log, e));
  const monitor = s.monitor.monitor ?? 'val_loss';
  const sm = await replaySpectrumMonitor(log, s.monitor, models.replay);
  const { decisions, ...spectrum } = sm;
  const alternatives: Record<string, ReplayOutcome> = {};
  for (const [name, args] of Object.entries(s.alternatives)) {
    const { decisions: _unused, ...outcome } = await replaySpectrumMonitor(log, args, models.replay);
    alternatives[name] = outcome;
  }
  return {
    alternatives,
    outcomes: {
      spectrum,
      'early-stopping-3': await replayEarlyStopping(logs, { monitor, patience: 3 }, models.dummy),
      'early-stopping-10': await replayEarlyStopping(logs, { monitor, patience: 10 }, models.dummy),
      'full-budget': { epochsUsed: logs.length, stopEpoch: null, action: 'none', rule: 'budget', reason: 'the whole budget' },
    },
    decisions,
  };
}

/** A compiled copy of a study network, used only to hold recorded weights during replays. */
export function replayModel(model: StudyModel): tf.LayersModel {
  const m = buildStudyModel(model, 'he', 0);
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  return m;
}

/** A one-unit model whose only use is the stopTraining flag tfjs's earlyStopping sets. */
export function flagModel(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
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

export function pushRows(
  log: RunLog,
  outcomes: Record<string, ReplayOutcome>,
  decisions: Decision[],
  fig2: WindowSpectrum[],
  rows: { epochRows: Record<string, unknown>[]; decisionRows: Record<string, unknown>[]; monitorRows: Record<string, unknown>[]; fig2Rows: Record<string, unknown>[] },
): void {
  const id = { model: log.model, init: log.init, seed: log.seed, bad: log.bad };
  log.points.forEach((p, t) => {
    rows.epochRows.push({
      ...id,
      epoch: t,
      train_loss: p.trainLoss,
      val_loss: p.valLoss,
      test_loss: p.testLoss,
      test_acc: p.testAcc,
      fit_loss: t > 0 ? log.fitLoss[t - 1] : NaN,
      epoch_ms: t > 0 ? log.epochMs[t - 1] : NaN,
    });
  });
  for (const [method, o] of Object.entries(outcomes)) {
    const end = log.points[o.epochsUsed];
    rows.decisionRows.push({
      ...id,
      method,
      budget: log.fitLoss.length,
      epochs_used: o.epochsUsed,
      stop_epoch: o.stopEpoch ?? '',
      action: o.action,
      rule: o.rule,
      final_test_loss: end.testLoss,
      final_test_acc: end.testAcc,
      final_val_loss: end.valLoss,
      reason: o.reason,
    });
  }
  for (const d of decisions) {
    const l = d.spectra.loss;
    const w = d.spectra.weights;
    rows.monitorRows.push({
      ...id,
      epoch: d.epoch,
      value: d.value ?? NaN,
      action: d.action,
      rule: d.rule,
      loss_share_near_one: l ? l.shareNearOne : NaN,
      loss_spectral_radius: l ? l.spectralRadius : NaN,
      loss_rank: l ? l.rank : NaN,
      weights_share_near_one: w ? w.shareNearOne : NaN,
      weights_spectral_radius: w ? w.spectralRadius : NaN,
      reason: d.reason,
    });
  }
  for (const f of fig2) {
    rows.fig2Rows.push({
      ...id,
      observable: f.observable,
      window_label: f.label,
      window: f.window,
      delays: f.delays,
      rank: f.spectrum.rank,
      kept: f.spectrum.kept.filter(Boolean).length,
      share_near_one: f.shareNearOne,
      share_near_zero: f.shareNearZero,
      mean_modulus: f.meanModulus,
      leading_transient_modulus: f.leadingTransient,
      spectral_radius: f.spectrum.spectralRadius,
      reconstruction_error: f.spectrum.reconstructionError,
    });
  }
}

/** Fig. 2 of seed 003 for one run: loss curves and the six eigenvalue plots. */
export function writePlots(out: string, log: RunLog, fig2: WindowSpectrum[]): void {
  const dir = join(out, 'plots');
  const base = `${log.model}-${log.init}`;
  const t = log.points.map((_, i) => i);
  writeFileSync(
    join(dir, `${base}-loss.svg`),
    svgPlot(
      [
        { name: 'train (L_tr)', x: t, y: log.points.map((p) => p.trainLoss) },
        { name: 'validation', x: t, y: log.points.map((p) => p.valLoss) },
        { name: 'test', x: t, y: log.points.map((p) => p.testLoss) },
      ],
      { title: `${log.model}, ${log.init} init, seed ${log.seed}: cross-entropy`, xLabel: 'epoch', yLabel: 'loss', logY: true },
    ),
  );
  for (const f of fig2) {
    writeFileSync(
      join(dir, `${base}-${f.observable}-${f.label}.svg`),
      eigenvalueSvg(
        { ...f.spectrum, shareNearOne: f.shareNearOne },
        { title: `${log.model} ${log.init}: ${f.observable} observable, first ${f.window} snapshots`, nearOneRadius: FIG2_NEAR_ONE },
      ),
    );
  }
}

