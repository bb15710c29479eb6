import type { FitOptions } from '../../src/koopman/options.js';

export const PERCEPTRON_METHODS = ['plain', 'single', 'node', 'layer'] as const;
export type PerceptronMethod = (typeof PERCEPTRON_METHODS)[number];

/** Every setting of the perceptron study (seed 004, Sec. S8, Table S3); paper values in {@link PAPER_SETTINGS}. */
export interface PerceptronSettings {
  /** Input units. @default 4 */
  inputs: number;
  /** Output units; output j is the OR of the j-th block of inputs/outputs inputs. @default 2 */
  outputs: number;
  /** Learning rate η of the perceptron rule. @default 0.005 */
  learningRate: number;
  /** Probability that an input unit is 1. @default 0.25 */
  activeProbability: number;
  /** Perceptron-rule steps (one input each) per simulation. @default 1000 */
  steps: number;
  /** Independent simulations (initial weights and inputs), the same for every method. @default 1000 */
  simulations: number;
  /** Initial weights are uniform in [initLow, initHigh]. @default [0.5, 1] */
  initLow: number;
  initHigh: number;
  /** Methods compared. @default all four */
  methods: PerceptronMethod[];
  /** Koopman window [t1, t2] in steps: the operators are fitted on steps t1…t2 and the jump is made at t2. @default [0, 100] */
  windowStart: number;
  windowEnd: number;
  /** Steps the weights jump ahead at each Koopman jump. @default 100 */
  horizon: number;
  /** After the first jump, fit and jump again every this many steps (on the newest window). null: one jump. @default 100 */
  every: number | null;
  /**
   * Engine options of the Koopman fits: the paper's plain finite section U = F′F⁺ (full rank up to
   * the 1e-7 singular-value floor), no constant observable and no stabilisation, so a single-weight
   * operator is the exponential w(t+1) = a·w(t) the paper describes.
   */
  fit: FitOptions;
  /** Width of the centred sliding window that smooths the error curves (the paper's 50). @default 50 */
  smoothing: number;
  /** "At asymptote": the smoothed error within this many percentage points of its final value. @default 1 */
  asymptoteTolerance: number;
  /** Seed of the simulations' random numbers. @default 1 */
  seed: number;
}

export const PAPER_SETTINGS: PerceptronSettings = {
  inputs: 4,
  outputs: 2,
  learningRate: 0.005,
  activeProbability: 0.25,
  steps: 1000,
  simulations: 1000,
  initLow: 0.5,
  initHigh: 1,
  methods: [...PERCEPTRON_METHODS],
  windowStart: 0,
  windowEnd: 100,
  horizon: 100,
  every: 100,
  fit: { rank: -1, affine: false, stabilize: false },
  smoothing: 50,
  asymptoteTolerance: 1,
  seed: 1,
};

/** The quick mode used by the test: 40 simulations of 400 steps. */
export const QUICK_SETTINGS: Partial<PerceptronSettings> = {
  simulations: 40,
  steps: 400,
};
