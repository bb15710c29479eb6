import * as tf from '@tensorflow/tfjs';
import { koopmanTraining, type KoopmanTraining } from '../../plugins/koopman-training/index.js';
import { mulberry32 } from '../../src/linalg/random.js';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import { expectedError, inputPatterns, perceptronStep, sampleInput, type PerceptronShape } from './rule.js';
import { horizonSteps, type PerceptronMethod, type PerceptronSettings } from './settings.js';

/** One simulation's curves, indexed by step 1…steps (entry t−1). */
export interface SimulationTrace {
  /** Share of outputs wrong on the input shown at step t, before that step's update (the training error). */
  sampleError: Float64Array;
  /** Expected share of outputs wrong over the input distribution, with the weights after step t (and any jump at t). */
  expectedError: Float64Array;
  /** Weights at the end, kernel layout [input][output]. */
  finalWeights: Float32Array;
  /** Koopman jumps made (0 for plain). */
  jumps: number;
  /** Notes of the plugin's report (skipped groups, stopped recordings). */
  notes: string[];
  /** With `keepWeights`: the weights after every step, steps × (inputs·outputs), row-major. */
  weights: Float32Array | null;
}

/** The Dense layer the perceptron lives in: no bias (the threshold 1 is fixed), weights set per simulation. */
export function perceptronModel(shape: PerceptronShape): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.dense({ units: shape.outputs, inputShape: [shape.inputs], useBias: false, kernelInitializer: 'zeros', name: 'perceptron' })],
  });
}

/**
 * The random stream of simulation `sim` and its initial weights (uniform in [initLow, initHigh],
 * kernel layout); the stream then supplies the inputs.
 */
export function simulationStart(sim: number, s: PerceptronSettings): { rand: () => number; K: Float32Array } {
  const rand = mulberry32((s.seed * 1_000_003 + sim) >>> 0);
  const K = new Float32Array(s.inputs * s.outputs);
  for (let i = 0; i < K.length; i++) K[i] = s.initLow + (s.initHigh - s.initLow) * rand();
  return { rand, K };
}

/** The seed's three Koopman partitions, as plugin options. */
export function koopmanFor(method: Exclude<PerceptronMethod, 'plain'>, s: PerceptronSettings): KoopmanTraining {
  return koopmanTraining({
    ...s.fit,
    partition: { default: method },
    window: { start: s.windowStart, end: s.windowEnd },
    horizon: horizonSteps(s),
    ...(s.every !== null ? { every: s.every } : {}),
    dtype: 'float64',
  });
}

/**
 * One simulation: initial weights uniform in [initLow, initHigh], then `steps` perceptron-rule
 * steps on random inputs. Plain runs in plain JS; Koopman methods run the same rule in a custom
 * loop on `model` (weights written into it whenever the rule changes them) with the
 * koopman-training plugin's `attach` / `afterStep`, which records, fits and jumps; after a jump
 * the loop continues from the model's weights. `sim` seeds the random numbers, so every method
 * sees the same initial weights and inputs. Cost O(steps·inputs·outputs) plus the plugin's fits.
 */
export async function simulate(
  method: PerceptronMethod,
  sim: number,
  s: PerceptronSettings,
  model: tf.LayersModel | null,
  keepWeights = false,
): Promise<SimulationTrace> {
  const shape: PerceptronShape = { inputs: s.inputs, outputs: s.outputs };
  const { rand, K } = simulationStart(sim, s);
  const patterns = inputPatterns(s.inputs, s.activeProbability);
  const x = new Float64Array(s.inputs);
  const scratch = new Float64Array(s.outputs);
  const sampleErr = new Float64Array(s.steps);
  const expErr = new Float64Array(s.steps);
  const history = keepWeights ? new Float32Array(s.steps * K.length) : null;
  let kt: KoopmanTraining | null = null;
  if (method !== 'plain') {
    if (!model) throw new Error(`simulate: method '${method}' needs the perceptron model`);
    writeWeights(model, K);
    kt = koopmanFor(method, s);
    await kt.attach(model);
  }
  let seen = 0;
  for (let t = 0; t < s.steps; t++) {
    sampleInput(rand, s.activeProbability, x);
    const { wrong, changed } = perceptronStep(K, x, s.learningRate, shape, scratch);
    sampleErr[t] = wrong / s.outputs;
    if (kt) {
      if (changed) writeWeights(model!, K);
      await kt.afterStep();
      if (kt.report.jumps.length > seen) {
        seen = kt.report.jumps.length;
        readWeights(model!, K);
      }
    }
    expErr[t] = expectedError(K, patterns, shape);
    if (history) history.set(K, t * K.length);
  }
  return {
    sampleError: sampleErr,
    expectedError: expErr,
    finalWeights: K,
    jumps: kt ? kt.report.jumps.filter((j) => j.accepted).length : 0,
    weights: history,
    notes: kt ? [...new Set([...kt.report.notes, ...kt.report.jumps.flatMap((j) => j.skippedGroups.map((g) => `${g.id}: ${g.reason}`))])] : [],
  };
}
