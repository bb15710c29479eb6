import { firstNonFinite } from '../linalg/finite.js';
import { chooseRank, validateRankRule, type RankRule } from '../linalg/rank.js';
import { thinSvd } from '../linalg/svd.js';
import { MIN_TOL } from './options.js';

/** N samples of dimension `cols`, row-major: sample t is data[t·cols … (t+1)·cols). */
export interface SampleBlock {
  data: ArrayLike<number>;
  rows: number;
  cols: number;
}

export interface PairsOptions {
  /** Rank rule (PyDMD `svd_rank` convention, see `chooseRank`): -1 full, 0 optimal hard threshold, 0 < r < 1 energy, integer ≥ 1 fixed. @default -1 */
  rank?: RankRule;
  /** Relative floor: directions with σᵢ ≤ tol·σ₁ are never kept (raised to MIN_TOL = 1e-8). @default 1e-7 */
  tol?: number;
  /** Tikhonov λ ≥ 0 (absolute, in the units of σ²): each kept direction is scaled by σ/(σ² + λ) instead of 1/σ. @default 0 */
  ridge?: number;
  /** Centre X and Y on their sample means first (the fit with an intercept, y ≈ K x + c). @default false */
  center?: boolean;
}

export const PAIRS_DEFAULTS = Object.freeze({ rank: -1 as RankRule, tol: 1e-7, ridge: 0, center: false });

const KEYS = new Set(Object.keys(PAIRS_DEFAULTS));

/**
 * The least-squares linear map of the pairs, y ≈ K x (+ c), in factored form K = B·W:
 * W (r × p) are the kept right singular vectors of the (centred) X, B (q × r) = Yᵀ Uᵣ Σ⁺ with the
 * ridge filter. Dense K is `pairsOperator(fit)` (q·p·r flops).
 */
export interface PairsFit {
  /** p, q and N. */
  inputDim: number;
  outputDim: number;
  samples: number;
  /** W: r rows of length p, orthonormal — the input directions the map sees. */
  inputBasis: Float64Array;
  /** B: q × r row-major, so that K = B·W. */
  outputMap: Float64Array;
  /** c = ȳ − K x̄ (zeros unless `center`). */
  offset: Float64Array;
  /** x̄ and ȳ (zeros unless `center`). */
  inputMean: Float64Array;
  outputMean: Float64Array;
  rank: number;
  /** How the rank was chosen, in words. */
  rankRule: string;
  /** All min(N, p) singular values of the (centred) X, largest first. */
  singularValues: Float64Array;
  /** σ₁/σ_r (Infinity when r = 0). */
  condition: number;
  /** ‖Y − X Kᵀ‖_F / ‖Y‖_F on the (centred) pairs; 0 when Y = 0. */
  residual: number;
}

/**
 * Fits K (and c with `center`) minimising ‖Y − X Kᵀ − 1cᵀ‖²_F + λ‖K‖²_F over N pairs (x_t, y_t),
 * rows of X (N × p) and Y (N × q), through one {@link thinSvd} of X = U Σ Wᵀ (Householder QR of
 * the tall side + Jacobi; no Gram matrix of X, so no squared condition number, and never (XᵀX)⁻¹):
 * K = Yᵀ Uᵣ diag(σ/(σ² + λ)) Wᵣᵀ over the directions the rank rule keeps. Pairs may come from any
 * number of trajectories; nothing assumes consecutive snapshots (that is `fitKoopman`).
 *
 * K is accurate to about ε·κ(X)·‖K‖ (κ = σ₁/σ_r), not ε·κ²: the long-side singular vectors are
 * re-orthogonalised against the leading ones (see below).
 *
 * Cost: O(N·p·min(N, p)) for the SVD, 4·max(N, p)·r² for the re-orthogonalisation, 2·N·q·r for B
 * and 2·N·q·r for the residual; memory
 * O(N·(p + q) + min(N, p)²) — no p × p matrix when N < p, no q × p matrix at all.
 */
export function fitPairs(X: SampleBlock, Y: SampleBlock, options: PairsOptions = {}): PairsFit {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new Error(`fitPairs: unknown option '${key}' (known: ${[...KEYS].join(', ')})`);
  }
  const o = { ...PAIRS_DEFAULTS, ...options };
  validateRankRule(o.rank, 'fitPairs: rank');
  if (!(typeof o.tol === 'number' && o.tol >= 0 && o.tol < 1)) throw new Error(`fitPairs: tol must be a number in [0, 1); got ${String(o.tol)}`);
  if (!(typeof o.ridge === 'number' && o.ridge >= 0 && Number.isFinite(o.ridge))) {
    throw new Error(`fitPairs: ridge must be a finite number ≥ 0; got ${String(o.ridge)}`);
  }
  const tol = Math.max(o.tol, MIN_TOL);
  const N = X.rows;
  const p = X.cols;
  const q = Y.cols;
  if (Y.rows !== N) throw new Error(`fitPairs: ${N} inputs but ${Y.rows} outputs`);
  if (!(Number.isInteger(p) && p >= 1 && Number.isInteger(q) && q >= 1)) throw new Error(`fitPairs: dimensions must be ≥ 1; got p = ${p}, q = ${q}`);
  if (N < (o.center ? 2 : 1)) throw new Error(`fitPairs: needs at least ${o.center ? 2 : 1} pairs; got ${N}`);
  for (const [what, a] of [['X', X], ['Y', Y]] as const) {
    if (a.data.length !== a.rows * a.cols) throw new Error(`fitPairs: ${what} is ${a.rows} × ${a.cols} but has ${a.data.length} entries`);
    const bad = firstNonFinite(a.data);
    if (bad >= 0) throw new Error(`fitPairs: ${what} has a non-finite value (${a.data[bad]}) in pair ${Math.floor(bad / a.cols)}`);
  }
  const xm = new Float64Array(p);
  const ym = new Float64Array(q);
  const x = Float64Array.from(X.data);
  const y = Float64Array.from(Y.data);
  if (o.center) {
    centre(x, N, p, xm);
    centre(y, N, q, ym);
  }
  // Coordinates that vary (non-zero columns of the centred X) are the `rows` of the rank rule.
  const colSq = new Float64Array(p);
  for (let t = 0; t < N; t++) for (let i = 0; i < p; i++) colSq[i] += x[t * p + i] * x[t * p + i];
  let cMax = 0;
  for (let i = 0; i < p; i++) cMax = Math.max(cMax, colSq[i]);
  let varying = 0;
  for (let i = 0; i < p; i++) if (colSq[i] > 1e-28 * cMax) varying++;
  const rows = Math.max(varying, 1);
  const svd = thinSvd(x, N, p, 0, p, { rank: (values) => chooseRank(values, rows, N, o.rank, tol).rank, reorthogonalize: true });
  const sigma = svd.values;
  const r = svd.rank;
  const choice = chooseRank(sigma, rows, N, o.rank, tol);
  // (reorthogonalize: the long-side vectors formed as X·v/σ would bring back the condition number)
  // B[o][j] = f_j Σ_t y[t][o] u_j[t], f_j = σ_j/(σ_j² + λ); Ŷ[t][o] = Σ_j u_j[t] σ_j B[o][j].
  const B = new Float64Array(q * r);
  for (let j = 0; j < r; j++) {
    const s = sigma[j];
    const f = s / (s * s + o.ridge);
    const u = svd.u.subarray(j * N, (j + 1) * N);
    for (let t = 0; t < N; t++) {
      const w = u[t] * f;
      if (w === 0) continue;
      const oy = t * q;
      for (let k = 0; k < q; k++) B[k * r + j] += w * y[oy + k];
    }
  }
  let num = 0;
  let den = 0;
  const yHat = new Float64Array(q);
  for (let t = 0; t < N; t++) {
    yHat.fill(0);
    for (let j = 0; j < r; j++) {
      const w = svd.u[j * N + t] * sigma[j];
      if (w === 0) continue;
      for (let k = 0; k < q; k++) yHat[k] += w * B[k * r + j];
    }
    for (let k = 0; k < q; k++) {
      const v = y[t * q + k];
      num += (v - yHat[k]) ** 2;
      den += v * v;
    }
  }
  const offset = new Float64Array(q);
  if (o.center) {
    const wx = new Float64Array(r);
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let i = 0; i < p; i++) s += svd.v[j * p + i] * xm[i];
      wx[j] = s;
    }
    for (let k = 0; k < q; k++) {
      let s = ym[k];
      for (let j = 0; j < r; j++) s -= B[k * r + j] * wx[j];
      offset[k] = s;
    }
  }
  return {
    inputDim: p,
    outputDim: q,
    samples: N,
    inputBasis: svd.v.slice(0, r * p),
    outputMap: B,
    offset,
    inputMean: xm,
    outputMean: ym,
    rank: r,
    rankRule: r < choice.rank ? `${choice.rule}, cut to ${r} (exact zeros)` : choice.rule,
    singularValues: sigma,
    condition: r > 0 ? sigma[0] / sigma[r - 1] : Infinity,
    residual: den > 0 ? Math.sqrt(num / den) : 0,
  };
}

/** Dense K = B·W (q × p, row-major). Cost 2·q·p·r flops, memory 8·q·p bytes. */
export function pairsOperator(fit: PairsFit): Float64Array {
  const { inputDim: p, outputDim: q, rank: r, inputBasis: W, outputMap: B } = fit;
  const K = new Float64Array(q * p);
  for (let k = 0; k < q; k++) {
    for (let j = 0; j < r; j++) {
      const b = B[k * r + j];
      if (b === 0) continue;
      const ow = j * p;
      const ok = k * p;
      for (let i = 0; i < p; i++) K[ok + i] += b * W[ow + i];
    }
  }
  return K;
}

function centre(a: Float64Array, n: number, c: number, mean: Float64Array): void {
  for (let t = 0; t < n; t++) for (let i = 0; i < c; i++) mean[i] += a[t * c + i];
  for (let i = 0; i < c; i++) mean[i] /= n;
  for (let t = 0; t < n; t++) for (let i = 0; i < c; i++) a[t * c + i] -= mean[i];
}
