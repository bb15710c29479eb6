import type { KoopmanTrainingArgs } from '../../../plugins/koopman-training/index.js';

/** Every setting of the MNIST experiment; defaults are the paper's (seed 004, Sec. 5 and S10). */
export interface MnistSettings {
  /** Seeds (initialisations) run. @default 25 */
  seeds: number;
  /** First seed. @default 0 */
  seedOffset: number;
  /** @default 10 */
  epochs: number;
  /** Iterations per epoch, whatever the data set size. @default 938 */
  stepsPerEpoch: number;
  /** @default 64 */
  batchSize: number;
  /** Adadelta learning-rate decay per epoch. @default 0.7 */
  gamma: number;
  /** t1: window start (completed epochs). @default 2 (start of epoch 3) */
  t1: number;
  /** t2: window end and jump (completed epochs). @default 5 (end of epoch 5) */
  t2: number;
  /** T in epochs. @default 2 */
  horizon: number;
  /** Quasi-node chunk length of the first layer. @default 157 */
  q: number;
  /** Training samples held out for the guard (never the test set). @default 1000 */
  valSize: number;
  dataset: 'mnist' | 'fashion';
  dataDir?: string;
  out: string;
  quick: boolean;
}

export const PAPER_SETTINGS: Omit<MnistSettings, 'out' | 'dataset' | 'quick'> = {
  seeds: 25,
  seedOffset: 0,
  epochs: 10,
  stepsPerEpoch: 938,
  batchSize: 64,
  gamma: 0.7,
  t1: 2,
  t2: 5,
  horizon: 2,
  q: 157,
  valSize: 1000,
};

/** Quick mode: the same schedule, scaled down (used by the tests). */
export const QUICK_SETTINGS: Partial<MnistSettings> = {
  seeds: 2,
  epochs: 5,
  stepsPerEpoch: 100,
  t1: 1,
  t2: 3,
  horizon: 1,
  valSize: 500,
};

type Plugin = Omit<KoopmanTrainingArgs, 'onJump'>;

/** The paper's recipe: node/quasi-node finite sections, full rank, one unchecked jump of T. */
export function paperConfig(s: MnistSettings): Plugin {
  return {
    partition: { default: 'node', layers: { dense1: { kind: 'quasi-node', q: s.q } } },
    window: { start: s.t1, end: s.t2, unit: 'epoch' },
    horizon: s.horizon,
    rank: -1,
    affine: false,
    stabilize: false,
  };
}

/**
 * Our configuration: affine, stabilised, optimally truncated fits on shorter quasi-nodes (q = 32)
 * of every 4th step (fits ~20× cheaper), a guarded horizon search on held-out training data,
 * and a new jump after every further epoch.
 */
export function bestConfig(s: MnistSettings, validationData: NonNullable<KoopmanTrainingArgs['guard']>['validationData']): Plugin {
  const k = 4;
  const T = s.horizon * s.stepsPerEpoch;
  const candidates: number[] = [];
  for (let h = k; h < T; h *= 2) candidates.push(h);
  candidates.push(T - (T % k));
  return {
    partition: { default: 'node', layers: { dense1: { kind: 'quasi-node', q: 32 } } },
    window: { start: s.t1 * s.stepsPerEpoch, end: s.t2 * s.stepsPerEpoch },
    horizon: T - (T % k),
    recordEvery: k,
    every: s.stepsPerEpoch - (s.stepsPerEpoch % k),
    rank: 0,
    affine: true,
    stabilize: true,
    guard: { validationData, candidates },
  };
}
