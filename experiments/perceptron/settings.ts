import type { FitOptions } from '../../src/koopman/options.js';

export const PERCEPTRON_METHODS = ['plain', 'single', 'node', 'layer'] as const;
export type PerceptronMethod = (typeof PERCEPTRON_METHODS)[number];

/** Every setting of the perceptron study (seed 004, Sec. S8, Table S3); paper values in {@link PAPER_SETTINGS}. */
/** A Koopman schedule: window [windowStart, windowEnd], horizon, repetition. */
export interface ScheduleVariant {
  windowEnd: number;
  horizon: number | null;
  every: number | null;
}

/** The schedules tried besides the main one (all reported). */
export const SCHEDULE_VARIANTS: ScheduleVariant[] = [
  { windowEnd: 100, horizon: 100, every: 100 },
  { windowEnd: 100, horizon: 200, every: 100 },
  { windowEnd: 100, horizon: 400, every: 100 },
  { windowEnd: 50, horizon: 100, every: 50 },
];

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
  /**
   * Steps the weights jump ahead at each Koopman jump; null: the rest of the run (steps − t2), i.e.
   * the operators evolve the weights to the end of the budget. @default null
   */
  horizon: number | null;
  /** After the first jump, fit and jump again every this many steps (on the newest window). null: one jump, as "after 100 training steps" reads. @default null */
  every: number | null;
  /**
   * Further Koopman schedules run on the same simulations and reported beside the main one
   * (variants.csv, summary.md), since the paper does not give its horizon or whether it jumped
   * more than once. @default {@link SCHEDULE_VARIANTS}
   */
  variants: ScheduleVariant[];
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
  horizon: null,
  every: null,
  variants: SCHEDULE_VARIANTS,
  fit: { rank: -1, affine: false, stabilize: false },
  smoothing: 50,
  asymptoteTolerance: 1,
  seed: 1,
};

/** The quick mode used by the test: 40 simulations of 400 steps, no variants. */
export const QUICK_SETTINGS: Partial<PerceptronSettings> = {
  simulations: 40,
  steps: 400,
  variants: [],
};

/** The horizon in steps: the setting, or the rest of the run. */
export function horizonSteps(s: Pick<PerceptronSettings, 'horizon' | 'steps' | 'windowEnd'>): number {
  return s.horizon ?? s.steps - s.windowEnd;
}

/** A short name of a schedule, e.g. "t2 100, T 900, once" or "t2 100, T 100, every 100". */
export function scheduleLabel(s: Pick<PerceptronSettings, 'horizon' | 'steps' | 'windowEnd' | 'every'>): string {
  return `t2 ${s.windowEnd}, T ${horizonSteps(s)}, ${s.every === null ? 'once' : `every ${s.every}`}`;
}
