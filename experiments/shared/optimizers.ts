import * as tf from '@tensorflow/tfjs';
import { adadelta } from '../../src/tfjs/adadelta.js';

/** Optimizers the experiments train with. */
export const OPTIMIZER_KINDS = Object.freeze(['adam', 'adagrad', 'adadelta', 'sgd'] as const);
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/**
 * One optimizer, every setting written out by the experiment that uses it. Unset fields take
 * tfjs's defaults (those of `tf.train.adam`, `tf.train.adagrad`, `tf.train.adadelta`).
 */
export interface OptimizerSettings {
  name: OptimizerKind;
  /** Initial learning rate (experiments with a schedule change it with `setLearningRate`). */
  learningRate: number;
  /** Adam β₁. @default 0.9 */
  beta1?: number;
  /** Adam β₂. @default 0.999 */
  beta2?: number;
  /** Adam and Adadelta ε. @default the backend's epsilon (1e-7 on cpu and wasm) */
  epsilon?: number;
  /** Adadelta ρ. @default 0.95 */
  rho?: number;
  /** Adagrad's initial accumulator. @default 0.1 */
  initialAccumulatorValue?: number;
}

/** The keys each optimizer accepts besides `name` and `learningRate`. */
const KEYS: Readonly<Record<OptimizerKind, readonly string[]>> = Object.freeze({
  adam: ['beta1', 'beta2', 'epsilon'],
  adagrad: ['initialAccumulatorValue'],
  adadelta: ['rho', 'epsilon'],
  sgd: [],
});

/**
 * The one optimizer factory of the experiments. Adadelta is always the Zeiler/PyTorch update
 * ({@link adadelta} of src/tfjs: tfjs's own divides by the previous squared-gradient average).
 * Throws naming the key on an unknown optimizer or an option that optimizer does not have.
 */
export function makeOptimizer(s: OptimizerSettings): tf.Optimizer {
  if (!(OPTIMIZER_KINDS as readonly string[]).includes(s.name)) throw new Error(`optimizer must be one of ${OPTIMIZER_KINDS.join(', ')}; got ${String(s.name)}`);
  for (const k of Object.keys(s)) {
    if (k !== 'name' && k !== 'learningRate' && !KEYS[s.name].includes(k)) {
      throw new Error(`optimizer ${s.name}: unknown option '${k}' (accepted: learningRate${KEYS[s.name].map((x) => `, ${x}`).join('')})`);
    }
  }
  switch (s.name) {
    case 'adam':
      return tf.train.adam(s.learningRate, s.beta1, s.beta2, s.epsilon);
    case 'adagrad':
      return tf.train.adagrad(s.learningRate, s.initialAccumulatorValue);
    case 'adadelta':
      return adadelta(s.learningRate, s.rho, s.epsilon);
    case 'sgd':
      return tf.train.sgd(s.learningRate);
  }
}
