import * as tf from '@tensorflow/tfjs';
import { readWeights } from '../../src/tfjs/index.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { evaluate, withSeededRandom } from '../shared/train.js';
import { EpochSampler, epochBatch, type StudyTensors } from './data.js';
import { BAD_INITS, buildStudyModel, runLearningRate, type Init, type StudyModel } from './model.js';

/** Optimizers the study can train with (seed 003 gives lr 1e-3 only; Adam is our choice). */
export type StudyOptimizer = 'adam' | 'sgd';
export const STUDY_OPTIMIZERS: readonly StudyOptimizer[] = ['adam', 'sgd'];

/** What one recorded run is. */
export interface RunSpec {
  model: StudyModel;
  init: Init;
  seed: number;
}

/** How a run trains. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: StudyOptimizer;
}

/** Losses of the weights w_t (t = 0: the initialisation; t ≥ 1: after epoch t − 1). */
export interface LossPoint {
  /** Cross-entropy on the fixed training-evaluation subset: seed 003's observable L_tr(w_t). */
  trainLoss: number;
  /** Cross-entropy on the held-out validation samples (what early stopping and the monitor watch). */
  valLoss: number;
  testLoss: number;
  testAcc: number;
}

/** Everything recorded in one run, once; every stopping method is replayed from it. */
export interface RunLog extends RunSpec {
  /** True for an initialisation of the bad set (the restart study's positives). */
  bad: boolean;
  /** points[t] for t = 0 … epochs (points[0] before training). */
  points: LossPoint[];
  /** fit()'s mean training loss over each epoch's batches (index e = epoch e). */
  fitLoss: number[];
  /** Wall time of each epoch's training step (evaluation excluded), ms. */
  epochMs: number[];
  /** Flat trainable weights w_t for t = 0 … epochs (null when not kept). */
  weights: Float32Array[] | null;
  /** Number of trainable weights. */
  weightCount: number;
}

/**
 * Trains one network for `s.epochs` epochs of `epochSize` pool samples each (fit() with one
 * epoch per call, shuffled with a seeded Math.random) and records the losses of every w_t and,
 * when `keepWeights`, every weight vector.
 */
export async function recordRun(
  t: StudyTensors,
  spec: RunSpec,
  s: TrainSettings,
  keepWeights: boolean,
  onEpoch?: (epoch: number, point: LossPoint) => void,
): Promise<RunLog> {
  return withSeededRandom(spec.seed, async () => {
    const model = buildStudyModel(spec.model, spec.init, spec.seed);
    // tfjs's defaults for everything but the learning rate (seed 003 gives only lr 1e-3)
    const optimizer = makeOptimizer({ name: s.optimizer, learningRate: runLearningRate(spec.init, s.learningRate) });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const sampler = new EpochSampler(t.pool.size, t.sizes.epochSize, spec.seed);
    const measure = (): LossPoint => {
      const tr = evaluate(model, t.trainEval.x, t.trainEval.y);
      const va = evaluate(model, t.val.x, t.val.y);
      const te = evaluate(model, t.test.x, t.test.y);
      return { trainLoss: tr.loss, valLoss: va.loss, testLoss: te.loss, testAcc: te.acc };
    };
    const w0 = readWeights(model);
    const log: RunLog = {
      ...spec,
      bad: (BAD_INITS as readonly string[]).includes(spec.init),
      points: [measure()],
      fitLoss: [],
      epochMs: [],
      weights: keepWeights ? [w0] : null,
      weightCount: w0.length,
    };
    try {
      for (let e = 0; e < s.epochs; e++) {
        const batch = epochBatch(t, sampler.next());
        const t0 = performance.now();
        try {
          const h = await model.fit(batch.x, batch.y, { epochs: 1, batchSize: s.batchSize, shuffle: true, verbose: 0 });
          log.fitLoss.push(Number(h.history.loss[0]));
        } finally {
          tf.dispose([batch.x, batch.y]);
        }
        log.epochMs.push(performance.now() - t0);
        const p = measure();
        log.points.push(p);
        if (log.weights) log.weights.push(readWeights(model));
        onEpoch?.(e, p);
      }
    } finally {
      model.dispose();
      optimizer.dispose();
    }
    return log;
  });
}
