/** Replaying one recorded run through every stopping method the study compares. */
import * as tf from '@tensorflow/tfjs';
import type { Decision } from '../../plugins/spectrum-monitor/index.js';
import type { MethodName } from './measures.js';
import { buildStudyModel, type StudyModel } from './model.js';
import type { RunLog } from './record.js';
import { epochLogs, replayEarlyStopping, replaySpectrumMonitor, type ReplayOutcome } from './replay.js';
import type { SpectrumStudySettings } from './settings.js';

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

