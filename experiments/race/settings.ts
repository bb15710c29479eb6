import { FASHION_DEFAULTS, WORKLOADS, type FashionSizes, type WorkloadName } from './workloads.js';
import { RACE_METHODS } from './entrants.js';

/** Every setting of the race. Defaults in {@link RACE_DEFAULTS}; quick mode in {@link QUICK_RACE}. */
export interface RaceSettings {
  /** Seeds per workload × optimizer. @default 5 */
  seeds: number;
  /** First seed. @default 0 */
  seedOffset: number;
  /** @default every workload */
  workloads: WorkloadName[];
  /** Optimizers to run (each workload runs those of its own it lists). @default all of each workload's */
  optimizers: string[] | null;
  /** @default RACE_METHODS */
  methods: string[];
  /** Fashion-MNIST epochs. @default 12 */
  fashionEpochs: number;
  sizes: FashionSizes;
  /**
   * EMA decay per step on the Fashion-MNIST workloads (the DE solver keeps 0.995). Scaled runs
   * with shorter epochs keep the EMA's time constant at about one epoch (0.995 ↔ 187 steps). @default 0.995
   */
  fashionEmaDecay: number;
  /** DE solver: evaluation blocks and steps per block. @default 20 × 300 (6 000 steps; the paper runs 60 000) */
  deBlocks: number;
  deBlockSteps: number;
  /**
   * Policy exploration: one plain training run per seed watched by every (non-plain) method, which
   * must all be observers that never change the weights (EMA, LAWA, shadow policies). @default false
   */
  explore: boolean;
  /** Run every method for one evaluation period, untimed, before the timed runs (JIT and first-call costs). @default true */
  warmUp: boolean;
  out: string;
  quick: boolean;
}

export const RACE_DEFAULTS: Readonly<RaceSettings> = Object.freeze({
  seeds: 5,
  seedOffset: 0,
  workloads: [...WORKLOADS],
  optimizers: null,
  methods: [...RACE_METHODS],
  fashionEpochs: 12,
  sizes: FASHION_DEFAULTS,
  fashionEmaDecay: 0.995,
  deBlocks: 20,
  deBlockSteps: 300,
  warmUp: true,
  explore: false,
  out: 'results/race',
  quick: false,
});

/** Quick mode (the test): one seed, small sets, short schedules; well under a minute. */
export const QUICK_RACE: Partial<RaceSettings> = Object.freeze({
  seeds: 1,
  workloads: ['fashion-mlp', 'de-solver'] as WorkloadName[],
  optimizers: ['adam'],
  fashionEpochs: 3,
  sizes: { train: 1_536, validation: 500, guard: 250, batchSize: 64 },
  fashionEmaDecay: 0.95,
  deBlocks: 3,
  deBlockSteps: 60,
  warmUp: false,
  out: 'results/race-quick',
  quick: true,
});
