import type { Complex } from '../linalg/complex.js';
import { eigen } from '../linalg/eigen.js';
import { firstNonFinite } from '../linalg/finite.js';
import { validateRankRule, type RankRule } from '../linalg/rank.js';
import { MIN_TOL } from '../koopman/options.js';
import { fitPairs } from '../koopman/pairs.js';

/**
 * One state of a layer trajectory: `samples` vectors of `width` numbers, sample-major
 * (sample t occupies data[t·width … (t+1)·width)).
 */
export interface StateBlock {
  data: ArrayLike<number>;
  width: number;
}

/**
 * Snapshot pairs of one step of a network's forward trajectory h₀ (the input) → h₁ → … → h_L.
 * The step fitted is h_{ℓ−1} → h_ℓ (the layer replaced); the delay coordinates are the `d` newest
 * states before it, ψ_{ℓ−1} = [h_{ℓ−1}; h_{ℓ−2}; …; h_{ℓ−d}].
 */
export interface DelayPairs {
  /** Delay blocks, newest first: past[0] = h_{ℓ−1}, past[1] = h_{ℓ−2}, … (d ≥ 1 blocks). */
  past: StateBlock[];
  /** The states after the step, h_ℓ. */
  next: StateBlock;
  /** Number of sample trajectories (columns of the snapshot matrices). */
  samples: number;
}

/** Options of {@link fitDelayDmd}; every field is required (defaults live with the caller). */
export interface DelayDmdFitOptions {
  /** PyDMD `svd_rank` convention (0 optimal hard threshold, 0<r<1 energy, integer rank, −1 full). */
  rank: RankRule;
  /** Fit an intercept (a constant observable): h_ℓ ≈ A ψ + c. */
  affine: boolean;
  /** Relative singular-value floor σᵢ ≤ tol·σ₁ (raised to 1e-8, as in the engine's fits). */
  tol: number;
}

/** A fitted delay-coordinate DMD of one layer step. */
export interface DelayDmd {
  /** Dimension p of the delay vector ψ (sum of the delay blocks' widths). */
  inputDim: number;
  /** Dimension q of h_ℓ. */
  outputDim: number;
  /** Delay blocks used (d). */
  delays: number;
  /** Rank r kept and the rule that chose it. */
  rank: number;
  rankRule: string;
  /** Singular values of the (centred) delay snapshot matrix Ψ, largest first (min(p, N) of them). */
  singularValues: Float64Array;
  /** σ₁/σ_r of the directions kept. */
  condition: number;
  /** Kernel of the replacing Dense layer, tfjs layout p × q (row i = delay coordinate i): h_ℓ = ψ·K + c. */
  kernel: Float64Array;
  /** Intercept c (q numbers; zeros without `affine`). */
  bias: Float64Array;
  /**
   * Eigenvalues of the rank-r reduced Koopman operator Ã = Uᵣᵀ 𝒦 Uᵣ of the delay map 𝒦: ψ_{ℓ−1} ↦ ψ_ℓ
   * (top block the fitted A, lower blocks the exact shift), with every state zero-padded to the
   * common width D = max(widths) so that 𝒦 is square on R^{d·D}; unit i of each layer sits on
   * coordinate i. For analysis only: the replacement uses the kernel alone.
   */
  eigenvalues: Complex[];
  /** ‖H_ℓ − Ĥ_ℓ‖_F / ‖H_ℓ‖_F on the fitting pairs (0 when H_ℓ = 0). */
  reconstructionError: number;
  /** Largest |h − ĥ| over the fitting pairs. */
  maxAbsError: number;
}

/**
 * Fits h_ℓ ≈ A ψ_{ℓ−1} (+ c) by DMD on snapshot pairs: a truncated SVD of the centred delay
 * matrix Ψ (p × N), A = H Vᵣ Σᵣ⁻¹ Uᵣᵀ — never (ΨᵀΨ)⁻¹. The fit is the engine's pairs door
 * (`fitPairs` in src/koopman/pairs.ts: one thinSvd of Ψᵀ — Householder QR of the tall side +
 * Jacobi, no Gram matrix — and `chooseRank`), so no p × p matrix is formed when N < p.
 *
 * Cost: O(N·p·min(p, N)) for the SVD, O(N·q·r) for the factors, O(p·q·r) for the dense kernel
 * and O(N·p·q) for the reconstruction error; memory O((p + q)·N + p·q + min(p, N)²).
 *
 * The engine's `fitKoopman` fits one trajectory of consecutive snapshots; a layer gives N
 * independent two-point trajectories (ψ_{ℓ−1}, ψ_ℓ), which is why the pairs are fitted here.
 */
export function fitDelayDmd(pairs: DelayPairs, options: DelayDmdFitOptions): DelayDmd {
  validateRankRule(options.rank, 'rank');
  if (typeof options.affine !== 'boolean') throw new Error(`affine must be true or false; got ${String(options.affine)}`);
  if (typeof options.tol !== 'number' || !(options.tol >= 0 && options.tol < 1)) {
    throw new Error(`tol must be a number in [0, 1); got ${String(options.tol)}`);
  }
  const tol = Math.max(options.tol, MIN_TOL);
  const { past, next, samples: N } = pairs;
  if (!Array.isArray(past) || past.length < 1) throw new Error('fitDelayDmd needs at least one delay block (past[0] = h_{ℓ−1})');
  if (!Number.isInteger(N) || N < 1) throw new Error(`samples must be an integer ≥ 1; got ${String(N)}`);
  const blocks = [...past, next];
  blocks.forEach((b, k) => {
    const what = k < past.length ? `delay block ${k}` : 'next state';
    if (!Number.isInteger(b.width) || b.width < 1) throw new Error(`${what}: width must be an integer ≥ 1; got ${String(b.width)}`);
    if (b.data.length !== N * b.width) {
      throw new Error(`${what}: expected ${N} samples × ${b.width} = ${N * b.width} numbers; got ${b.data.length}`);
    }
    const bad = firstNonFinite(b.data);
    if (bad >= 0) {
      throw new Error(`${what}: non-finite value (${b.data[bad]}) at sample ${Math.floor(bad / b.width)}, unit ${bad % b.width}`);
    }
  });
  const p = past.reduce((s, b) => s + b.width, 0);
  const q = next.width;
  const need = minDelayPairs(p, options.rank, options.affine);
  if (N < need) {
    throw new Error(
      `${N} samples are too few: rank ${options.rank}${options.affine ? ' with affine' : ''} on ${past.length} delay block(s) ` +
        `(delay vector of ${p} numbers) needs at least ${need} samples`,
    );
  }

  // Sample-major snapshot blocks X = Ψᵀ (N × p) and Y = H_ℓᵀ (N × q), fitted by the engine's pairs door.
  const X = new Float64Array(N * p);
  let col = 0;
  for (const b of past) {
    for (let t = 0; t < N; t++) for (let i = 0; i < b.width; i++) X[t * p + col + i] = b.data[t * b.width + i];
    col += b.width;
  }
  const fit = fitPairs({ data: X, rows: N, cols: p }, { data: next.data, rows: N, cols: q }, {
    rank: options.rank,
    tol,
    center: options.affine,
  });
  const r = fit.rank;
  const sigma = fit.singularValues;
  // A = B Uᵣ with Uᵣ (r rows of length p) the kept input directions and B = Y Vᵣ Σᵣ⁻¹ (q × r).
  const U = fit.inputBasis;
  const B = fit.outputMap;
  const mu = fit.inputMean;
  const nu = fit.outputMean;
  const kernel = new Float64Array(p * q);
  for (let o = 0; o < q; o++) {
    for (let j = 0; j < r; j++) {
      const b = B[o * r + j];
      if (b === 0) continue;
      for (let i = 0; i < p; i++) kernel[i * q + o] += b * U[j * p + i];
    }
  }
  const bias = fit.offset;
  // Reconstruction error on the fitting pairs (centred coordinates: Ŷ = A X).
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  const yHat = new Float64Array(q);
  for (let t = 0; t < N; t++) {
    yHat.fill(0);
    for (let i = 0; i < p; i++) {
      const x = X[t * p + i] - mu[i];
      if (x === 0) continue;
      const off = i * q;
      for (let o = 0; o < q; o++) yHat[o] += x * kernel[off + o];
    }
    for (let o = 0; o < q; o++) {
      const y = next.data[t * q + o];
      const e = y - nu[o] - yHat[o];
      num += e * e;
      den += y * y;
      maxAbs = Math.max(maxAbs, Math.abs(e));
    }
  }
  const eigenvalues = r > 0 ? eigen(reducedDelayOperator(U, B, r, past.map((b) => b.width), q), r).values : [];
  return {
    inputDim: p,
    outputDim: q,
    delays: past.length,
    rank: r,
    rankRule: fit.rankRule,
    singularValues: sigma,
    condition: r > 0 ? sigma[0] / sigma[r - 1] : Infinity,
    kernel,
    bias,
    eigenvalues,
    reconstructionError: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num),
    maxAbsError: maxAbs,
  };
}

/**
 * Fewest sample pairs the rank rule can work with: a fixed rank k needs k pairs, the full rank as
 * many pairs as the delay vector has numbers; `affine` spends one more on the mean.
 */
export function minDelayPairs(p: number, rank: RankRule, affine: boolean): number {
  const extra = affine ? 1 : 0;
  if (rank === -1) return p + extra;
  if (rank >= 1) return rank + extra;
  return 2 + extra;
}

/**
 * Ã = Uᵣᵀ 𝒦 Uᵣ (r × r, row-major) for the padded delay map 𝒦 whose top block is A (q × p, given
 * as B = A Uᵣᵀ… i.e. A·uⱼ = B[:, j]) and whose lower blocks shift block j−1 of ψ into block j.
 * Cost O(r²·(p + q)).
 */
function reducedDelayOperator(U: Float64Array, B: Float64Array, r: number, widths: number[], q: number): Float64Array {
  const p = widths.reduce((s, w) => s + w, 0);
  const starts: number[] = [];
  let s0 = 0;
  for (const w of widths) {
    starts.push(s0);
    s0 += w;
  }
  const out = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    const ua = a * p;
    for (let b = 0; b < r; b++) {
      let s = 0;
      // block 0 of 𝒦u_b is A u_b (width q) against block 0 of u_a (width widths[0])
      const w0 = Math.min(q, widths[0]);
      for (let i = 0; i < w0; i++) s += U[ua + starts[0] + i] * B[i * r + b];
      // block j ≥ 1 of 𝒦u_b is block j−1 of u_b
      for (let j = 1; j < widths.length; j++) {
        const w = Math.min(widths[j], widths[j - 1]);
        const oa = ua + starts[j];
        const ob = b * p + starts[j - 1];
        for (let i = 0; i < w; i++) s += U[oa + i] * U[ob + i];
      }
      out[a * r + b] = s;
    }
  }
  return out;
}
