import { realFourierCoefficients } from './fft.js';

/**
 * Negative-index Sobolev norms on the one-dimensional torus 𝕋 = ℝ/ℤ (seed 003, eq. 5), p = 2:
 *
 *   ‖g‖²_{H^s} = Σ_{k∈ℤ} (1 + (2πk)²)^s |ĝ(k)|²,   ĝ(k) = (1/n) Σ_j g(j/n) e^{−2πikj/n},
 *
 * for g sampled at n uniform points θ_j = j/n (k runs over −⌈n/2⌉+1…⌊n/2⌋). With this
 * normalisation s = 0 gives the L² norm on 𝕋, √(mean g²) (Parseval), and the single mode
 * g = A·cos(2πkθ) has ‖g‖_{H^s} = (A/√2)·(1 + (2πk)²)^{s/2} (the complex mode A·e^{2πikθ}: A·(1 + (2πk)²)^{s/2}).
 * The seed's losses (eq. 6–7) use the weight (1 + (2π‖k‖)²)^{−1/2}, i.e. s = −1/2.
 */

/** The seed's Sobolev index for losses 1 and 2 (weight (1 + (2πk)²)^{−1/2}). */
export const SEED_SOBOLEV_INDEX = -0.5;

/** (1 + (2πk)²)^s: the weight of wave number k. */
export function sobolevWeight(k: number, s: number): number {
  return (1 + (2 * Math.PI * k) ** 2) ** s;
}

/** How many of ±k a non-negative wave number stands for among n samples (1 for k = 0 and the Nyquist k = n/2). */
export function modeMultiplicity(k: number, n: number): number {
  return k === 0 || 2 * k === n ? 1 : 2;
}

/**
 * ‖g‖_{H^s} of n uniform samples of g on 𝕋 (every wave number), through the FFT. `s` may be any
 * real (s < 0 for the seed's noise-rejecting norms; s = 0 is L²). Cost O(n log n) for n a power of
 * two, O(n²) otherwise. Throws on non-finite samples.
 */
export function sobolevNorm(values: ArrayLike<number>, s: number): number {
  return Math.sqrt(sobolevNormSquared(values, s));
}

/** ‖g‖²_{H^s}; see {@link sobolevNorm}. `modes` restricts the sum to those k ≥ 0 (each with −k). */
export function sobolevNormSquared(values: ArrayLike<number>, s: number, modes?: number[]): number {
  if (!Number.isFinite(s)) throw new Error(`Sobolev index s must be a finite number; got ${s}`);
  const n = values.length;
  for (let j = 0; j < n; j++) if (!Number.isFinite(values[j])) throw new Error(`sobolevNorm: sample ${j} is not finite (${values[j]})`);
  const spec = realFourierCoefficients(values);
  const ks = modes ?? Array.from({ length: spec.re.length }, (_, k) => k);
  let total = 0;
  for (const k of new Set(ks)) {
    if (!(Number.isInteger(k) && k >= 0 && k < spec.re.length)) throw new Error(`sobolevNorm: wave number ${k} outside 0…${spec.re.length - 1} for ${n} samples`);
    total += modeMultiplicity(k, n) * sobolevWeight(k, s) * (spec.re[k] ** 2 + spec.im[k] ** 2);
  }
  return total;
}

export type ScaleFunction = 'linear' | 'exponential';

/** The seed's scale s(ℓ) for layers ℓ = 0…L−1: ℓ ('linear') or 2^ℓ ('exponential'). */
export function layerScales(layers: number, scale: ScaleFunction): number[] {
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`layers must be an integer ≥ 1; got ${layers}`);
  if (scale !== 'linear' && scale !== 'exponential') throw new Error(`scale must be 'linear' or 'exponential'; got ${String(scale)}`);
  return Array.from({ length: layers }, (_, l) => (scale === 'linear' ? l : 2 ** l));
}
