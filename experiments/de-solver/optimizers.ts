import * as tf from '@tensorflow/tfjs';
import { FixedAdadelta } from '../../src/tfjs/adadelta.js';
import { learningRate } from './problem.js';

export const OPTIMIZERS = Object.freeze(['adam', 'adagrad', 'adadelta'] as const);
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * The paper's optimizers (Tables S4–S6) with PyTorch's defaults where the paper says nothing:
 * Adam β = (0.999, 0.9999), ε = 1e-8; Adagrad with a zero initial accumulator; Adadelta ρ = 0.999,
 * ε = 1e-6. The learning rate starts at η(0) and is set every step by {@link setLearningRate}.
 */
export function makeOptimizer(name: OptimizerName): tf.Optimizer {
  const lr = learningRate(0);
  switch (name) {
    case 'adam':
      return tf.train.adam(lr, 0.999, 0.9999, 1e-8);
    case 'adagrad':
      return tf.train.adagrad(lr, 0);
    case 'adadelta':
      // tfjs's own Adadelta divides by the previous squared-gradient average; PyTorch's (the paper's) by the updated one
      return new FixedAdadelta(lr, 0.999, 1e-6);
    default:
      throw new Error(`optimizer must be one of ${OPTIMIZERS.join(', ')}; got ${String(name)}`);
  }
}

/**
 * Sets the learning rate of a tfjs Adam/Adagrad/Adadelta optimizer. `learningRate` is a protected
 * field that these optimizers read on every `applyGradients`, so assigning it takes effect on the
 * next step (a test checks this against the update rule).
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate?: unknown };
  if (typeof o.learningRate !== 'number') throw new Error(`optimizer ${optimizer.getClassName()} has no numeric learningRate field`);
  o.learningRate = lr;
}
