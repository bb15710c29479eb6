import type { SpectrumMonitorArgs } from '../../plugins/spectrum-monitor/index.js';
import type { GoodInit, StudyModel } from './model.js';
import type { StudyOptimizer } from './record.js';

/** Every setting of the spectrum study; defaults in {@link STUDY_DEFAULTS}, quick mode in {@link QUICK_SETTINGS}. */
export interface SpectrumStudySettings {
  /** Networks studied. @default ['mlp', 'wide'] */
  models: StudyModel[];
  /** Good initialisations (seed 003's three). @default ['he', 'xavier', 'normal'] */
  inits: GoodInit[];
  /** Also run the bad initialisations of the restart study. @default true */
  bad: boolean;
  /** Initialisations (seeds) per model and init. @default 3 */
  seeds: number;
  /** First seed; the monitor options were tuned on seed 1, so the study starts elsewhere. @default 100 */
  seedOffset: number;
  /** Epoch budget of a good run (seed 003: 1000 epochs of all 60 000 digits). @default 200 */
  epochs: number;
  /**
   * Bad runs train for this fraction of the budget only: the restart study looks at decisions in
   * the first `restartFraction` of the budget, and a bad run is never a candidate for stopping.
   * @default 0.25
   */
  badEpochsFraction: number;
  /** Restart decisions count when made within this fraction of the budget (issue 15: 10%). @default 0.1 */
  restartFraction: number;
  /** Training samples per epoch. @default 2000 */
  epochSize: number;
  /** Training samples the training-loss observable is evaluated on. @default 2000 */
  trainEvalSize: number;
  /** Held-out training samples for validation (early stopping, the monitor). @default 1000 */
  valSize: number;
  /** Test samples. @default 2000 */
  testSize: number;
  /** @default 64 */
  batchSize: number;
  /** Seed 003's learning rate. @default 1e-3 */
  learningRate: number;
  /** @default 'adam' */
  optimizer: StudyOptimizer;
  /**
   * Fig. 2 windows of the loss observable, as fractions of the budget: seed 003's 40/100/500
   * snapshots of a 1000-epoch run, with the late window stretched to the whole budget and the
   * others kept in the paper's ratio to it (40:100:500). @default [0.08, 0.2, 1]
   */
  lossWindows: number[];
  /** Fig. 2 windows of the weight observable (the paper's 50/100/500, same rule). @default [0.1, 0.2, 1] */
  weightWindows: number[];
  /** Options of the spectrum monitor replayed on every run. @default {@link STUDY_MONITOR} */
  monitor: SpectrumMonitorArgs;
  /**
   * Further monitor settings replayed on the same runs and reported in summary.md only (not in
   * summary.csv), by name. @default {@link STUDY_ALTERNATIVES}
   */
  alternatives: Record<string, SpectrumMonitorArgs>;
  /** Data-set split seed (same split for every run). @default 0 */
  splitSeed: number;
  out: string;
  backend: string;
  quick: boolean;
}

/**
 * The spectrum-monitor options of this study (tuned on separate runs, seed 1; see summary.md):
 * the monitor watches the validation loss like earlyStopping(patience 10) and adds the spectral
 * fixed-point stop and the restart rules.
 */
export const STUDY_MONITOR: SpectrumMonitorArgs = {
  monitor: 'val_loss',
  spectral: 'both',
  patience: 10,
  observables: ['loss'],
  window: 'sliding',
  windowSize: 30,
  delays: 5,
  nearOneRadius: 0.005,
  importance: 'latest',
  clusterShare: 0.98,
  target: 1.0,
  minEpochs: 10,
};

/** The runner-up of the tuning grid: stops earlier, at a higher test-loss cost, and catches more bad runs. */
export const STUDY_ALTERNATIVES: Record<string, SpectrumMonitorArgs> = {
  'nearOneRadius 0.01': { ...STUDY_MONITOR, nearOneRadius: 0.01 },
};

export const STUDY_DEFAULTS: Omit<SpectrumStudySettings, 'out' | 'backend' | 'quick'> = {
  models: ['mlp', 'wide'],
  inits: ['he', 'xavier', 'normal'],
  bad: true,
  seeds: 3,
  seedOffset: 100,
  epochs: 200,
  badEpochsFraction: 0.25,
  restartFraction: 0.1,
  epochSize: 2000,
  trainEvalSize: 2000,
  valSize: 1000,
  testSize: 2000,
  batchSize: 64,
  learningRate: 1e-3,
  optimizer: 'adam',
  lossWindows: [0.08, 0.2, 1],
  weightWindows: [0.1, 0.2, 1],
  monitor: STUDY_MONITOR,
  alternatives: STUDY_ALTERNATIVES,
  splitSeed: 0,
};

/**
 * Quick mode (the test and a demo): the MLP only, one seed, 40 epochs of 1000 samples, smaller
 * evaluation sets; the monitor's sliding window and minEpochs shrink with the budget.
 */
export const QUICK_SETTINGS: Partial<SpectrumStudySettings> = {
  models: ['mlp'],
  seeds: 1,
  epochs: 40,
  epochSize: 1000,
  trainEvalSize: 500,
  valSize: 500,
  testSize: 1000,
  lossWindows: [0.3, 0.6, 1],
  weightWindows: [0.3, 0.6, 1],
  monitor: { ...STUDY_MONITOR, windowSize: 15, minEpochs: 6, patience: 5 },
  alternatives: { 'nearOneRadius 0.01': { ...STUDY_MONITOR, windowSize: 15, minEpochs: 6, patience: 5, nearOneRadius: 0.01 } },
};
