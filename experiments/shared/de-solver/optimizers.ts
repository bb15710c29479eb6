import type { OptimizerSettings } from '../optimizers.js';
import { learningRate } from './problem.js';

export const OPTIMIZERS = Object.freeze(['adam', 'adagrad', 'adadelta'] as const);
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * The paper's optimizers (Tables S4–S6) with PyTorch's defaults where the paper says nothing:
 * Adam β = (0.999, 0.9999), ε = 1e-8; Adagrad with a zero initial accumulator; Adadelta ρ = 0.999,
 * ε = 1e-6 (the Zeiler/PyTorch update). The learning rate starts at η(0) and is set every step by
 * `setLearningRate` (src/tfjs). Pass one to `makeOptimizer` (experiments/shared).
 */
export const SOLVER_OPTIMIZERS: Readonly<Record<OptimizerName, Readonly<OptimizerSettings>>> = Object.freeze({
  adam: Object.freeze({ name: 'adam', learningRate: learningRate(0), beta1: 0.999, beta2: 0.9999, epsilon: 1e-8 }),
  adagrad: Object.freeze({ name: 'adagrad', learningRate: learningRate(0), initialAccumulatorValue: 0 }),
  adadelta: Object.freeze({ name: 'adadelta', learningRate: learningRate(0), rho: 0.999, epsilon: 1e-6 }),
});

/** The settings of one of {@link OPTIMIZERS}, naming the choices when `name` is none of them. */
export function solverOptimizer(name: OptimizerName): OptimizerSettings {
  if (!(OPTIMIZERS as readonly string[]).includes(name)) throw new Error(`optimizer must be one of ${OPTIMIZERS.join(', ')}; got ${String(name)}`);
  return { ...SOLVER_OPTIMIZERS[name] };
}
