import * as tf from '@tensorflow/tfjs';
import { buildCnn } from '../shared/cnn.js';
import { buildMlp } from '../shared/mlp.js';

/** Networks of the study: seed 004's MLP, the paper's dense head alone, and seed 003's CNN (experiments/shared/cnn.ts). */
export type StudyModel = 'mlp' | 'wide' | 'cnn';
export const STUDY_MODELS: readonly StudyModel[] = ['mlp', 'wide', 'cnn'];

/** The initialisations seed 003 compared (the "good" set of the restart study). */
export type GoodInit = 'he' | 'xavier' | 'normal';
export const GOOD_INITS: readonly GoodInit[] = ['he', 'xavier', 'normal'];
/**
 * Initialisations a restart should catch (the "bad" set):
 * - `normal-large`: kernels N(0, {@link LARGE_STD}²), biases 0 — saturated softmax, huge initial loss;
 * - `dead-relu`: He kernels with every hidden bias {@link DEAD_BIAS} — every ReLU is off for every
 *   MNIST digit, so no gradient reaches the hidden layers and only the output bias learns;
 * - `exploding-lr`: He kernels, zero biases, trained with {@link EXPLODING_LR_FACTOR} times the
 *   study's learning rate (a learning rate typed three orders of magnitude too large).
 */
export type BadInit = 'normal-large' | 'dead-relu' | 'exploding-lr';
export const BAD_INITS: readonly BadInit[] = ['normal-large', 'dead-relu', 'exploding-lr'];
/** Learning-rate multiplier of the bad `exploding-lr` runs (1e-3 × 1000 = 1 with Adam). */
export const EXPLODING_LR_FACTOR = 1000;

/** The learning rate a run of `init` trains with: the study's, times {@link EXPLODING_LR_FACTOR} for `exploding-lr`. */
export function runLearningRate(init: Init, learningRate: number): number {
  return init === 'exploding-lr' ? learningRate * EXPLODING_LR_FACTOR : learningRate;
}
export type Init = GoodInit | BadInit;

/** Standard deviation of the `normal` initialisation (Keras' RandomNormal default). */
export const NORMAL_STD = 0.05;
/** Standard deviation of the bad `normal-large` initialisation. */
export const LARGE_STD = 1.0;
/** Hidden-layer bias of the bad `dead-relu` initialisation. */
export const DEAD_BIAS = -3;

/** Hidden widths of the dense networks. */
export const DENSE_WIDTHS: Record<Exclude<StudyModel, 'cnn'>, number[]> = { mlp: [20, 20, 20], wide: [100] };

/** Builds a study network (dense ones with seed 004's builder) and initialises it with `init`. */
export function buildStudyModel(model: StudyModel, init: Init, seed: number): tf.Sequential {
  const m = model === 'cnn' ? buildCnn() : buildMlp(seed, DENSE_WIDTHS[model]);
  initialise(m, init, seed);
  return m;
}

/**
 * Overwrites every kernel and bias of a Dense/Conv2D network with the initialisation `init`
 * (seeded): He normal, Glorot (Xavier) normal or N(0, 0.05²) kernels with zero biases, or one of
 * the bad initialisations of {@link BadInit}.
 */
export function initialise(model: tf.LayersModel, init: Init, seed: number): void {
  const layers = model.layers.filter((l) => (l as unknown as { kernel?: unknown }).kernel !== undefined);
  layers.forEach((layer, i) => {
    const s = seed * 1009 + 17 * i;
    const last = i === layers.length - 1;
    const [kernel, bias] = layer.getWeights();
    const initializer =
      init === 'he' || init === 'dead-relu' || init === 'exploding-lr'
        ? tf.initializers.heNormal({ seed: s })
        : init === 'xavier'
          ? tf.initializers.glorotNormal({ seed: s })
          : tf.initializers.randomNormal({ mean: 0, stddev: init === 'normal' ? NORMAL_STD : LARGE_STD, seed: s });
    const k = initializer.apply(kernel.shape);
    const b = init === 'dead-relu' && !last ? tf.fill(bias.shape, DEAD_BIAS) : tf.zeros(bias.shape);
    layer.setWeights([k, b]);
    tf.dispose([k, b]);
  });
}
