/** Every setting of the credit experiment (seed 000, IV). */
export type NetworkName = 'lenet5' | 'n2-mlp';

export interface CreditSettings {
  networks: NetworkName[];
  /** Seeds (initialisation, data split, alignment draws). @default 3 */
  seeds: number;
  seedOffset: number;
  /** Embedded-MNIST training / test images. @default 8000 / 2000 */
  trainSize: number;
  testSize: number;
  /** Epochs of Adam (1e-3, batch 64) per network. @default lenet5 3, n2-mlp 10 */
  epochs: Record<NetworkName, number>;
  /** Inputs of the step-delay embedding (test images). @default 128 */
  creditInputs: number;
  /** Alignment repeats averaged (the paper's 10). @default 10 */
  repeats: number;
  /** Principal directions kept per boundary ('all' = none dropped). @default lenet5 32, n2-mlp 32 */
  components: Record<NetworkName, number | 'all'>;
  /** Share of a block's output units mean-replaced in the block ablation, and draws averaged. @default 0.5, 5 */
  ablationFraction: number;
  ablationDraws: number;
  /** Test images shown in the feature-weight heat maps. @default 4 */
  heatmapSamples: number;
  out: string;
  quick: boolean;
}

export const PAPER_SETTINGS: Omit<CreditSettings, 'out' | 'quick'> = {
  networks: ['lenet5', 'n2-mlp'],
  seeds: 3,
  seedOffset: 0,
  trainSize: 8000,
  testSize: 2000,
  epochs: { lenet5: 3, 'n2-mlp': 10 },
  creditInputs: 128,
  repeats: 10,
  components: { lenet5: 32, 'n2-mlp': 32 },
  ablationFraction: 0.5,
  ablationDraws: 5,
  heatmapSamples: 4,
};

/** Quick mode (tests): one seed, small data, few components. */
export const QUICK_SETTINGS: Partial<CreditSettings> = {
  seeds: 1,
  trainSize: 600,
  testSize: 300,
  epochs: { lenet5: 1, 'n2-mlp': 2 },
  creditInputs: 40,
  repeats: 2,
  components: { lenet5: 8, 'n2-mlp': 8 },
  ablationDraws: 2,
  heatmapSamples: 2,
};
