import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, type OptimizerSettings } from './optimizers.js';

/** Layer names of the seed-004 MNIST network (784 → 20 → 20 → 20 → 10). */
export const MLP_LAYERS = ['dense1', 'dense2', 'dense3', 'dense4'] as const;

/**
 * The MNIST MLP of seed 004 (Sec. 5, S10): 784-20-20-20-10, ReLU, softmax, cross-entropy, with
 * PyTorch's default initialisation (weights and biases uniform in ±1/√fan_in), seeded.
 */
export function buildMlp(seed: number, widths: number[] = [20, 20, 20]): tf.Sequential {
  const m = tf.sequential();
  let fanIn = 784;
  const units = [...widths, 10];
  units.forEach((u, i) => {
    const lim = 1 / Math.sqrt(fanIn);
    m.add(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [784] } : {}),
        units: u,
        activation: i === units.length - 1 ? 'softmax' : 'relu',
        name: `dense${i + 1}`,
        kernelInitializer: tf.initializers.randomUniform({ minval: -lim, maxval: lim, seed: seed * 101 + 2 * i }),
        biasInitializer: tf.initializers.randomUniform({ minval: -lim, maxval: lim, seed: seed * 101 + 2 * i + 1 }),
      }),
    );
    fanIn = u;
  });
  return m;
}

/**
 * The optimizer of the seed-004 MNIST MLP: Adadelta as in PyTorch's MNIST example (lr 1.0,
 * ρ 0.9, ε 1e-6), with the Zeiler/PyTorch update (see FixedAdadelta in src/tfjs).
 */
export const MLP_ADADELTA: Readonly<OptimizerSettings> = Object.freeze({ name: 'adadelta', learningRate: 1.0, rho: 0.9, epsilon: 1e-6 });

/**
 * @deprecated `makeOptimizer(MLP_ADADELTA)`. Kept only for experiments/bench (owned elsewhere)
 * until it makes that call itself; it has no settings of its own.
 */
export const adadelta = (): tf.Optimizer => makeOptimizer(MLP_ADADELTA);
