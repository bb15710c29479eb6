import type { RankRule } from '../../src/linalg/rank.js';

export type DmdLayerDataset = 'yin-yang' | 'mnist';

/** One data set's network and training of the dmd-layer experiment. */
export interface DatasetSettings {
  /** Hidden widths of the ReLU MLP (every hidden layer is replaced in turn). */
  hidden: number[];
  /** Training samples (also the samples the DMD is fitted on). */
  trainSize: number;
  /** Held-out samples that pick the best delays / rank (never the test set). */
  valSize: number;
  testSize: number;
  epochs: number;
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
}

/** Every setting of the experiment; the reference run uses {@link PAPER_SETTINGS}. */
export interface DmdLayerSettings {
  datasets: DmdLayerDataset[];
  /** Seeds (network initialisations and data order) per data set. @default 3 */
  seeds: number;
  /** First seed. @default 0 */
  seedOffset: number;
  /** Rank rules tried for every layer and number of delays. @default [-1, 0, 0.999, 0.99] */
  ranks: RankRule[];
  /** Largest number of delays tried (capped by the layer's position). @default 3 */
  maxDelays: number;
  yinYang: DatasetSettings;
  mnist: DatasetSettings;
  out: string;
  quick: boolean;
}

/**
 * Yin-Yang: the published sizes (5 000 train, 1 000 validation, 1 000 test); MNIST: the 10 000
 * embedded digits (7 000 train, 1 000 validation, 2 000 test). Seed 002 does not give its
 * networks; these are three-hidden-layer ReLU MLPs trained with Adam.
 */
export const PAPER_SETTINGS: Omit<DmdLayerSettings, 'out' | 'quick'> = {
  datasets: ['yin-yang', 'mnist'],
  seeds: 3,
  seedOffset: 0,
  ranks: [-1, 0, 0.999, 0.99],
  maxDelays: 3,
  yinYang: { hidden: [64, 64, 64], trainSize: 5000, valSize: 1000, testSize: 1000, epochs: 100, batchSize: 64, learningRate: 3e-3 },
  mnist: { hidden: [64, 64, 64], trainSize: 7000, valSize: 1000, testSize: 2000, epochs: 15, batchSize: 64, learningRate: 2e-3 },
};

/** Quick mode (the test): tiny sets, short training, one seed, two ranks. */
export const QUICK_SETTINGS: Partial<DmdLayerSettings> = {
  seeds: 1,
  ranks: [0, 0.99],
  maxDelays: 2,
  yinYang: { hidden: [16, 16], trainSize: 400, valSize: 200, testSize: 200, epochs: 12, batchSize: 64, learningRate: 1e-2 },
  mnist: { hidden: [16, 16], trainSize: 300, valSize: 100, testSize: 200, epochs: 3, batchSize: 64, learningRate: 2e-3 },
};
