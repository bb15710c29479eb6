import * as tf from '@tensorflow/tfjs';
import { SEED_SOBOLEV_INDEX, layerScales, modeMultiplicity, sobolevWeight, type ScaleFunction } from './sobolev.js';

/**
 * The seed-003 Sobolev losses as tfjs loss functions `(yTrue, yPred) => scalar`, for
 * `model.compile({ loss })` or a custom loop.
 *
 * Fourier coefficients are taken as a matrix product with a fixed basis of the requested modes,
 * Δ̂(k) = (1/n) Σ_j Δ(θ_j) e^{−2πikθ_j} at the batch's torus positions θ_j — on a uniform grid this
 * is the DFT of {@link sobolevNormSquared}; on a random subset of one (a training split) it is the
 * Monte-Carlo estimate of ∫ Δ e^{−2πikθ}. A matrix product is used rather than `tf.spectral.rfft`
 * because tfjs 4.22 registers no gradient for FFT/RFFT and the wasm backend has no FFT kernel; with
 * K modes it costs O(n·K) per evaluation (an FFT of every mode would cost O(n log n) but give no
 * gradient). The batch must be the n samples at `theta`, in that order (fit with
 * `batchSize: n, shuffle: false`).
 */
export interface SobolevLossOptions {
  /** Torus positions θ ∈ [0, 1) of the batch's samples, in batch order. Required. */
  theta: ArrayLike<number>;
  /** Wave numbers k ≥ 0 compared; each k > 0 counts for ±k. Required (the seed's shells s(ℓ)). */
  modes: number[];
  /** Sobolev index s of the weight (1 + (2πk)²)^s. @default −0.5 (seed 003, eq. 6–7) */
  index?: number;
}

export const SOBOLEV_LOSS_DEFAULTS = Object.freeze({ index: SEED_SOBOLEV_INDEX });

const KEYS = new Set(['theta', 'modes', 'index']);

export type TfLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * Σ_{k ∈ modes} m_k (1 + (2πk)²)^s |ŷ_pred(k) − ŷ_true(k)|² (m_k = 1 for k = 0 and k = n/2, else 2) over the
 * batch, summed over output columns. The basis tensor is built once (O(n·K) memory) and freed by
 * `dispose()` on the returned function.
 */
export function sobolevLoss(options: SobolevLossOptions): TfLoss & { dispose(): void; basis: tf.Tensor2D } {
  for (const key of Object.keys(options ?? {})) {
    if (!KEYS.has(key)) throw new Error(`sobolevLoss: unknown option '${key}'; accepted: ${[...KEYS].join(', ')}`);
  }
  const { theta, modes } = options;
  const index = options.index ?? SOBOLEV_LOSS_DEFAULTS.index;
  if (!theta || typeof theta.length !== 'number' || theta.length < 1) throw new Error('sobolevLoss: theta must hold the torus position of every sample');
  if (!Array.isArray(modes) || modes.length === 0) throw new Error('sobolevLoss: modes must be a non-empty array of wave numbers k ≥ 0');
  for (const k of modes) if (!(Number.isInteger(k) && k >= 0)) throw new Error(`sobolevLoss: modes must be integers ≥ 0; got ${k}`);
  if (!Number.isFinite(index)) throw new Error(`sobolevLoss: index must be a finite number; got ${index}`);
  const ks = [...new Set(modes)].sort((a, b) => a - b);
  const n = theta.length;
  const K = ks.length;
  const basis = new Float32Array(n * 2 * K);
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < K; c++) {
      const a = 2 * Math.PI * ks[c] * theta[j];
      basis[j * 2 * K + 2 * c] = Math.cos(a) / n;
      basis[j * 2 * K + 2 * c + 1] = -Math.sin(a) / n;
    }
  }
  const w = new Float32Array(2 * K);
  ks.forEach((k, c) => {
    const m = modeMultiplicity(k, n);
    w[2 * c] = w[2 * c + 1] = m * sobolevWeight(k, index);
  });
  const B = tf.keep(tf.tensor2d(basis, [n, 2 * K]));
  const W = tf.keep(tf.tensor2d(w, [1, 2 * K]));
  const loss = ((yTrue: tf.Tensor, yPred: tf.Tensor) =>
    tf.tidy(() => {
      if (yPred.shape[0] !== n) {
        throw new Error(`sobolevLoss: batch has ${yPred.shape[0]} samples, theta ${n}: fit with batchSize ${n} and shuffle false`);
      }
      const d = tf.sub(yPred, yTrue).reshape([n, -1]);
      const coef = tf.matMul(d, B, true, false); // [outputs, 2K]: Re and −Im… of Δ̂(k)
      return tf.sum(tf.mul(tf.square(coef), W)) as tf.Scalar;
    })) as TfLoss & { dispose(): void; basis: tf.Tensor2D };
  loss.dispose = () => {
    B.dispose();
    W.dispose();
  };
  loss.basis = B;
  return loss;
}

/**
 * Sobolev loss 1 (seed 003, eq. 6): one loss per layer ℓ = 0…L−1, the shell ‖k‖₁ = s(ℓ) of the
 * auxiliary output f_ℓ = C_ℓ z_ℓ — pass the array as `loss` of a model whose outputs are
 * [f_0, …, f_{L−1}]. Dispose each when done.
 */
export function sobolevLoss1(theta: ArrayLike<number>, layers: number, scale: ScaleFunction, index = SOBOLEV_LOSS_DEFAULTS.index) {
  return layerScales(layers, scale).map((k) => sobolevLoss({ theta, modes: [k], index }));
}

/** Sobolev loss 2 (seed 003, eq. 7): every shell s(0…L−1) at the network's output only. */
export function sobolevLoss2(theta: ArrayLike<number>, layers: number, scale: ScaleFunction, index = SOBOLEV_LOSS_DEFAULTS.index) {
  return sobolevLoss({ theta, modes: layerScales(layers, scale), index });
}
