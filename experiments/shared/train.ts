import * as tf from '@tensorflow/tfjs';
import { setLearningRate } from '../../src/tfjs/learning-rate.js';
import { mulberry32 } from '../../src/linalg/random.js';

/** Replaces Math.random with a seeded generator while `fn` runs (tfjs's fit() shuffles with it). */
export async function withSeededRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const saved = Math.random;
  Math.random = mulberry32(seed + 777);
  try {
    return await fn();
  } finally {
    Math.random = saved;
  }
}

/** Categorical cross-entropy and accuracy of a classifier on (x, y), in batches of 1000. */
export function evaluate(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): { loss: number; acc: number } {
  return tf.tidy(() => {
    const p = model.predict(x, { batchSize: 1000 }) as tf.Tensor;
    const loss = tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0];
    const acc = tf.metrics.categoricalAccuracy(y, p).mean().dataSync()[0];
    return { loss, acc };
  });
}

/** One completed optimizer update, as {@link trainSteps} reports it. */
export interface StepInfo {
  /** Updates completed so far (1 for the first). */
  step: number;
  /** The loss this update minimised: that of the weights before it. */
  loss: number;
  /** Wall time and CPU time (user + system, µs) of setting the learning rate, the update and reading its loss; hooks excluded. */
  ms: number;
  cpuUs: number;
}

export interface TrainStepsOptions {
  /** Updates to make at most. */
  steps: number;
  /** The learning rate of update `step` (1-based), set (src/tfjs `setLearningRate`) before it. Unset: left as it is. */
  learningRate?: (step: number) => number;
  /** Called after every update; returning 'stop' ends the loop there. */
  onStep?: (s: StepInfo) => void | 'stop' | Promise<void | 'stop'>;
}

/**
 * The one hand-driven training loop of the experiments (no fit()): up to `steps` updates of
 * `opt.minimize(loss)` over `vars`, each reported to `onStep` (where callers record weights, step
 * plugins with `afterStep`, tick progress bars or stop). Returns the number of updates made.
 * Disposes the loss tensor of every update; the caller owns `opt`, `vars` and what `loss` closes over.
 */
export async function trainSteps(opt: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[], o: TrainStepsOptions): Promise<number> {
  for (let step = 1; step <= o.steps; step++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    if (o.learningRate) setLearningRate(opt, o.learningRate(step));
    const l = opt.minimize(loss, true, vars)!;
    const value = l.dataSync()[0];
    l.dispose();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if ((await o.onStep?.({ step, loss: value, ms, cpuUs: c.user + c.system })) === 'stop') return step;
  }
  return o.steps;
}
