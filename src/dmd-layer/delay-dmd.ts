import type { Complex } from '../linalg/complex.js';
import { eigen } from '../linalg/eigen.js';
import { firstNonFinite } from '../linalg/finite.js';
import { rowGram, rowProduct } from '../linalg/gram.js';
import { chooseRank, validateRankRule, type RankRule } from '../linalg/rank.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { MIN_TOL } from '../koopman/options.js';

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
 * matrix Ψ (p × N), A = H Vᵣ Σᵣ⁻¹ Uᵣᵀ — never (ΨᵀΨ)⁻¹. The SVD goes through the engine's door
 * (rowGram → symmetricEigen → chooseRank), on the smaller Gram: ΨΨᵀ (p × p) when p ≤ N, ΨᵀΨ
 * (N × N) otherwise, so no p × p matrix is formed when N < p.
 *
 * Cost: O(N·p·min(p, N)) for the Gram, O(min(p, N)³) for its eigendecomposition, O(N·p·q) for
 * Y Xᵀ (p ≤ N) or O(N·(p + q)·r) for the factors (N < p), and O(N·p·q) for the reconstruction error; memory O((p + q)·N + min(p, N)²).
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

  // Coordinate-major snapshot matrices X = Ψ (p × N) and Y = H_ℓ (q × N), centred with `affine`.
  const X = new Float64Array(p * N);
  let row = 0;
  for (const b of past) {
    for (let i = 0; i < b.width; i++, row++) for (let t = 0; t < N; t++) X[row * N + t] = b.data[t * b.width + i];
  }
  const Y = new Float64Array(q * N);
  for (let i = 0; i < q; i++) for (let t = 0; t < N; t++) Y[i * N + t] = next.data[t * q + i];
  const mu = new Float64Array(p);
  const nu = new Float64Array(q);
  if (options.affine) {
    centreRows(X, p, N, mu);
    centreRows(Y, q, N, nu);
  }

  // Thin SVD of X through the smaller Gram matrix.
  const k = Math.min(p, N);
  const sigma = new Float64Array(k);
  let rows = 0;
  let gMax = 0;
  let vectors: Float64Array;
  let values: Float64Array;
  if (p <= N) {
    const G = rowGram(X, p, N, 0, N);
    for (let i = 0; i < p; i++) gMax = Math.max(gMax, G[i * p + i]);
    for (let i = 0; i < p; i++) if (G[i * p + i] > 1e-28 * gMax) rows++;
    ({ values, vectors } = symmetricEigen(G, p));
  } else {
    const Xt = transpose(X, p, N);
    const G = rowGram(Xt, N, p, 0, p);
    let xMax = 0;
    const rowSq = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = 0;
      for (let t = 0; t < N; t++) s += X[i * N + t] ** 2;
      rowSq[i] = s;
      xMax = Math.max(xMax, s);
    }
    for (let i = 0; i < p; i++) if (rowSq[i] > 1e-28 * xMax) rows++;
    ({ values, vectors } = symmetricEigen(G, N));
  }
  for (let i = 0; i < k; i++) sigma[i] = Math.sqrt(Math.max(values[i], 0));
  const choice = chooseRank(sigma, Math.max(rows, 1), N, options.rank, tol);
  const r = choice.rank;
  // Uᵣ (r rows of length p) and B = A Uᵣᵀ = Y Vᵣ Σᵣ⁻¹ (q × r), so that A = B Uᵣ.
  const U = new Float64Array(r * p);
  let B: Float64Array;
  if (p <= N) {
    U.set(vectors.subarray(0, r * p));
    // B = (Y Xᵀ) Uᵣᵀ Σᵣ⁻²: Y Xᵀ is q × p, O(q·p·N); no r × N factor is formed.
    const C = rowProduct(Y, q, N, 0, X, p, N, 0, N);
    B = rowProduct(C, q, p, 0, U, r, p, 0, p);
    for (let o = 0; o < q; o++) for (let j = 0; j < r; j++) B[o * r + j] /= sigma[j] * sigma[j];
  } else {
    // v_j are the Gram's eigenvectors (length N); u_j = X v_j / σ_j and B = Y Vᵣ Σᵣ⁻¹.
    const W = new Float64Array(r * N);
    for (let j = 0; j < r; j++) {
      const s = sigma[j];
      for (let t = 0; t < N; t++) W[j * N + t] = vectors[j * N + t] / s;
    }
    const XW = rowProduct(X, p, N, 0, W, r, N, 0, N); // p × r = X Vᵣ Σᵣ⁻¹ = Uᵣ
    for (let i = 0; i < p; i++) for (let j = 0; j < r; j++) U[j * p + i] = XW[i * r + j];
    B = rowProduct(Y, q, N, 0, W, r, N, 0, N);
  }
  const kernel = new Float64Array(p * q);
  for (let o = 0; o < q; o++) {
    for (let j = 0; j < r; j++) {
      const b = B[o * r + j];
      if (b === 0) continue;
      for (let i = 0; i < p; i++) kernel[i * q + o] += b * U[j * p + i];
    }
  }
  const bias = new Float64Array(q);
  if (options.affine) {
    for (let o = 0; o < q; o++) {
      let s = nu[o];
      for (let i = 0; i < p; i++) s -= kernel[i * q + o] * mu[i];
      bias[o] = s;
    }
  }
  // Reconstruction error on the fitting pairs (centred coordinates: Ŷ = A X).
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  const yHat = new Float64Array(q);
  for (let t = 0; t < N; t++) {
    yHat.fill(0);
    for (let i = 0; i < p; i++) {
      const x = X[i * N + t];
      if (x === 0) continue;
      const off = i * q;
      for (let o = 0; o < q; o++) yHat[o] += x * kernel[off + o];
    }
    for (let o = 0; o < q; o++) {
      const e = Y[o * N + t] - yHat[o];
      const y = Y[o * N + t] + nu[o];
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
    rankRule: choice.rule,
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

function centreRows(M: Float64Array, rows: number, cols: number, mean: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let t = 0; t < cols; t++) s += M[o + t];
    const m = s / cols;
    mean[i] = m;
    for (let t = 0; t < cols; t++) M[o + t] -= m;
  }
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}
