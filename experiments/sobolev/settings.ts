import type { ScaleFunction } from '../../src/losses/sobolev.js';

export const SOBOLEV_LOSSES = ['l2', 'sobolev1', 'sobolev2'] as const;
export type SobolevLossName = (typeof SOBOLEV_LOSSES)[number];

/** Every setting of the negative-Sobolev study (seed 003, "Noise rejections using negative Sobolev norms"). */
export interface SobolevSettings {
  /** Uniform grid points on [0, 2), the torus 𝕋 = ℝ/ℤ via θ = x/2 (4 points per period of sin(2πx⁴) at x = 2). @default 256 */
  points: number;
  /** Noise levels ε: η = ε·(max h − min h)·N(0, 1) (eq. 8). @default [0.05, 0.5, 1.0] */
  noise: number[];
  /** Share of the grid used for training (the seed's 75/25 split, random). @default 0.75 */
  trainFraction: number;
  /** Hidden layers L (the seed's 9). @default 9 */
  layers: number;
  /** Units per hidden layer (the seed's 20). @default 20 */
  width: number;
  /** Hidden activation (the seed does not say). @default 'tanh' */
  activation: 'tanh' | 'relu' | 'sigmoid';
  /** Scale s(ℓ) of layer ℓ (the seed used linear). @default 'linear' */
  scale: ScaleFunction;
  /** Losses compared. @default all three */
  losses: SobolevLossName[];
  /** Full-batch Adam steps (the seed does not say). @default 1000 */
  steps: number;
  /** Adam learning rate (the seed does not say). @default 0.003 */
  learningRate: number;
  /** Independent seeds (noise, split, initial weights); results are medians. @default 3 */
  seeds: number;
  /** First seed. @default 1 */
  seedOffset: number;
}

export const PAPER_SETTINGS: SobolevSettings = {
  points: 256,
  noise: [0.05, 0.5, 1.0],
  trainFraction: 0.75,
  layers: 9,
  width: 20,
  activation: 'tanh',
  scale: 'linear',
  losses: [...SOBOLEV_LOSSES],
  steps: 1000,
  learningRate: 0.003,
  seeds: 3,
  seedOffset: 1,
};

/** The quick mode used by the test: 128 points, 3 hidden layers of 10, 150 steps, one seed. */
export const QUICK_SETTINGS: Partial<SobolevSettings> = {
  points: 128,
  layers: 3,
  width: 10,
  steps: 150,
  learningRate: 0.01,
  seeds: 1,
};
