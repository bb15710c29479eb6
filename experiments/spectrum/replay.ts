import * as tf from '@tensorflow/tfjs';
import { spectrumMonitor, type Decision, type SpectrumMonitorArgs } from '../../plugins/spectrum-monitor/index.js';
import { writeWeights } from '../../src/tfjs/index.js';
import type { RunLog } from './record.js';

/** Epoch logs as fit() would hand them to a callback, rebuilt from a recorded run. */
export type ReplayLogs = { [key: string]: number };

/**
 * The logs of epoch `e` of a recorded run: `loss` (fit()'s mean batch loss), `val_loss` (held-out
 * training samples) and `train_loss` (seed 003's observable: the loss on the fixed
 * training-evaluation subset). The test loss is never shown to a stopping method.
 */
export function epochLogs(log: Pick<RunLog, 'points' | 'fitLoss'>, e: number): ReplayLogs {
  const p = log.points[e + 1];
  return { loss: log.fitLoss[e], val_loss: p.valLoss, train_loss: p.trainLoss };
}

/** Where a replayed stopping method ended a run. */
export interface ReplayOutcome {
  /** Epochs trained: the stop epoch + 1, or the whole log when the method never stopped. */
  epochsUsed: number;
  /** Epoch (0-based) of the stop or restart decision; null when the run went to the end. */
  stopEpoch: number | null;
  action: 'stop' | 'restart' | 'none';
  /** The monitor's rule ('patience' for earlyStopping, 'budget' when nothing stopped the run). */
  rule: string;
  reason: string;
}

/**
 * Drives a `tf.callbacks.earlyStopping` by hand over recorded epoch logs, exactly as fit() would:
 * setModel, onTrainBegin, then onEpochEnd per epoch until it sets `model.stopTraining` (fit()
 * checks that flag after every epoch's callbacks). `model` is any LayersModel; only its
 * stopTraining flag is touched.
 */
export async function replayEarlyStopping(
  logs: ReplayLogs[],
  args: Parameters<typeof tf.callbacks.earlyStopping>[0],
  model: tf.LayersModel,
): Promise<ReplayOutcome> {
  const es = tf.callbacks.earlyStopping(args);
  es.setModel(model);
  model.stopTraining = false;
  await es.onTrainBegin();
  try {
    for (let e = 0; e < logs.length; e++) {
      await es.onEpochEnd(e, { ...logs[e] });
      if (model.stopTraining) {
        return {
          epochsUsed: e + 1,
          stopEpoch: e,
          action: 'stop',
          rule: 'patience',
          reason: `${args?.monitor ?? 'val_loss'} did not improve for ${args?.patience ?? 0} epochs`,
        };
      }
    }
  } finally {
    model.stopTraining = false;
  }
  return { epochsUsed: logs.length, stopEpoch: null, action: 'none', rule: 'budget', reason: 'never stopped: full budget' };
}

/**
 * Replays a recorded run through a spectrum monitor with `attach`/`afterEpoch`, writing the
 * recorded weights w_{e+1} into `model` before epoch e's decision when the monitor observes the
 * weights (the model's own weights are overwritten). Returns the outcome and every decision made.
 */
export async function replaySpectrumMonitor(
  log: Pick<RunLog, 'points' | 'fitLoss' | 'weights'>,
  args: SpectrumMonitorArgs,
  model: tf.LayersModel | null,
): Promise<ReplayOutcome & { decisions: Decision[] }> {
  const sm = spectrumMonitor(args);
  const needsWeights = sm.options.observables.includes('weights');
  if (needsWeights && (!model || !log.weights)) throw new Error("replaySpectrumMonitor: observables include 'weights': pass the model and a log with weights");
  sm.attach(model ?? undefined);
  const epochs = log.fitLoss.length;
  for (let e = 0; e < epochs; e++) {
    if (needsWeights) writeWeights(model!, log.weights![e + 1]);
    const d = await sm.afterEpoch(epochLogs(log, e), e);
    if (d.action !== 'continue') {
      if (model) model.stopTraining = false;
      return { epochsUsed: e + 1, stopEpoch: e, action: d.action, rule: d.rule, reason: d.reason, decisions: [...sm.decisions] };
    }
  }
  return { epochsUsed: epochs, stopEpoch: null, action: 'none', rule: 'budget', reason: 'never stopped: full budget', decisions: [...sm.decisions] };
}
