import { fitKoopman } from '../koopman/fit.js';
import { minSnapshots, resolveFitOptions } from '../koopman/options.js';
import { cabs, cpow, type Complex } from '../linalg/complex.js';
import { firstNonFinite } from '../linalg/finite.js';
import { thinSvd } from '../linalg/svd.js';
import { firstSnapshotAmplitudes, windowAmplitudes } from '../koopman/amplitudes.js';
import { hankel } from './hankel.js';
import { spectrumSettings, type SpectrumSettings } from './settings.js';

export type { SpectrumSettings } from './settings.js';

/** Koopman mode decomposition of one observable over one window, and the statistics the monitor decides on. */
export interface SpectrumSummary {
  /** Ritz values λₖ (DMD eigenvalues), in the order the eigen-solver returned them. */
  eigenvalues: Complex[];
  /**
   * Importance of each mode (see the `importance` option), from amplitudes |αₖ| of the decomposition
   * x(t) ≈ Σₖ φₖ αₖ λₖᵗ (unit-norm φₖ) fitted to the whole window.
   */
  importance: number[];
  /** Importance as a share of the total over the kept modes (0 for discarded modes). */
  share: number[];
  /** DMD_RRR residual ‖A·v − λ·v‖ of each Ritz pair (unit-norm v). */
  residuals: number[];
  /** Ritz pairs whose residual is at most `residualThreshold` (and whose amplitude is finite). */
  kept: boolean[];
  /** Kept modes whose share is at least `importanceThreshold`. */
  important: boolean[];
  /** Share of the kept importance carried by eigenvalues with |λ − 1| ≤ nearOneRadius. */
  shareNearOne: number;
  /** max |λ| over the kept modes (0 when none is kept). */
  spectralRadius: number;
  /** Important kept modes with |λ| > 1 + nearOneRadius (growing). */
  unstable: number;
  /** The important kept transient (|λ| < 1, outside the near-1 disc) with the largest |λ|, or null. */
  slowestImportant: Complex | null;
  /**
   * Epochs until that transient falls to `convergenceTolerance` of its size: ⌈log ε / log|λ|⌉.
   * 0 when no important transient remains, Infinity when an important mode grows.
   */
  epochsToConverge: number;
  /** Rank of the DMD and how it was chosen. */
  rank: number;
  rankRule: string;
  /** Number of snapshots fitted and their dimension (delays, or POD components for weights). */
  snapshots: number;
  dim: number;
  /** ‖X − Σₖ φₖαₖλₖᵗ‖ / ‖X‖ over the window: how much of the data the decomposition explains. */
  reconstructionError: number;
  /** Anything the reader should know about how this spectrum was computed (empty when nothing). */
  notes: string[];
  /**
   * Loss observable with `forecastEpochs` set: the series value that many epochs after the window's
   * last value, Σₖ mₖ λₖ^(n−1+h) over the kept modes (last Hankel coordinate); null otherwise.
   */
  forecast: { epochs: number; value: number } | null;
}


/**
 * Spectrum of the weights observable: {@link snapshotSpectrum} with a constant observable of 1e-3
 * times the mean snapshot norm appended (1 for all-zero snapshots). That keeps λ = 1 representable
 * when the fixed point lies in the span of the transients (zero initialisation, for one) while
 * changing the importance of the λ = 1 mode by a relative 5e-7 at most.
 */
export function weightSpectrum(snapshots: ArrayLike<number>[], settings: Partial<SpectrumSettings> = {}): SpectrumSummary {
  let mean = 0;
  for (const w of snapshots) {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * w[i];
    mean += Math.sqrt(s) / snapshots.length;
  }
  return snapshotSpectrum(snapshots, settings, mean > 0 && Number.isFinite(mean) ? 1e-3 * mean : 1);
}

/** Spectrum of a scalar series (the loss observable): DMD of its `delays`-deep Hankel embedding. */
export function seriesSpectrum(series: ArrayLike<number>, delays: number, settings: Partial<SpectrumSettings> = {}): SpectrumSummary {
  const bad = firstNonFinite(series);
  if (bad >= 0) throw new Error(`series contains a non-finite value (${series[bad]}) at index ${bad}; no spectrum is computed from it`);
  if (series.length < delays + 2) {
    throw new Error(`series: ${series.length} values give fewer than 3 Hankel snapshots of depth ${delays}; need at least ${delays + 2}`);
  }
  return snapshotSpectrum(hankel(series, delays), settings, 0, true);
}

/**
 * Spectrum of vector snapshots (oldest first), e.g. weight vectors. When the dimension is at least
 * the number of snapshots they are first written in their POD basis (method of snapshots: the
 * n×n Gram matrix), which loses nothing — the data lie in that span — and keeps the fit O(n²·dim).
 *
 * `constant` ≠ 0 appends a constant coordinate of that value to every snapshot (the constant
 * observable, always a Koopman eigenfunction with λ = 1), so that a fixed point is representable
 * by a linear operator even when it lies in the span of the transients.
 */
export function snapshotSpectrum(
  snapshots: ArrayLike<number>[],
  settings: Partial<SpectrumSettings> = {},
  constant = 0,
  forecastLast = false,
): SpectrumSummary {
  const s = spectrumSettings(settings);
  const n = snapshots.length;
  if (n < 3) throw new Error(`a spectrum needs at least 3 snapshots; got ${n}`);
  const dim = snapshots[0].length;
  for (let t = 0; t < n; t++) {
    if (snapshots[t].length !== dim) throw new Error(`snapshot ${t} has length ${snapshots[t].length}, expected ${dim}`);
    const bad = firstNonFinite(snapshots[t]);
    if (bad >= 0) throw new Error(`snapshot ${t} contains a non-finite value (${snapshots[t][bad]}) at index ${bad}`);
  }
  const notes: string[] = [];
  if (!Number.isFinite(constant)) throw new Error(`constant must be a finite number; got ${constant}`);
  let data: ArrayLike<number>[] = snapshots;
  if (dim + (constant !== 0 ? 1 : 0) >= n) {
    data = podCoordinates(snapshots, s.rank === -1 ? n - 1 : n, constant);
    if (data[0].length === 0) return emptySummary(n, 0, ['every snapshot is zero: there are no dynamics to decompose']);
  } else if (constant !== 0) {
    data = snapshots.map((x) => {
      const y = new Float64Array(dim + 1);
      for (let i = 0; i < dim; i++) y[i] = x[i];
      y[dim] = constant;
      return y;
    });
  }
  if (constant !== 0) notes.push(`a constant observable ${constant.toExponential(2)} was appended to every snapshot`);
  const fitOptions = resolveFitOptions({ rank: s.rank });
  const need = minSnapshots(data[0].length, fitOptions);
  if (n < need) throw new Error(`rank ${s.rank} needs at least ${need} snapshots of dimension ${data[0].length}; got ${n}`);
  const op = fitKoopman(data as number[][], fitOptions);
  if (op.rank === 0) return emptySummary(n, data[0].length, ['every snapshot is zero: there are no dynamics to decompose']);

  const eigenvalues = op.eigenvalues;
  const residuals = op.residuals;
  // Which amplitude definition (src/koopman/amplitudes.ts): the window fit by default.
  const fit = s.amplitudes === 'window' ? windowAmplitudes(data, eigenvalues) : firstSnapshotAmplitudes(op, data);
  let importance = fit.amplitudes.map((a, k) => measure(a, cabs(eigenvalues[k]), n, s.importance));
  if (!importance.some((v) => Number.isFinite(v))) {
    notes.push('the mode amplitudes could not be computed: every mode is given equal importance');
    importance = importance.map(() => 1);
  }
  const summary = summariseSpectrum(eigenvalues, importance, residuals, s, {
    rank: op.rank,
    rankRule: op.rankRule,
    snapshots: n,
    dim: data[0].length,
    reconstructionError: fit.reconstructionError,
    notes,
  });
  // The forecast reads the last coordinate of the snapshots themselves (not of POD coordinates).
  if (forecastLast && s.forecastEpochs !== null && data === snapshots) {
    let value = 0;
    if (s.amplitudes === 'window') {
      for (let k = 0; k < eigenvalues.length; k++) {
        if (!summary.kept[k]) continue;
        const p = cpow(eigenvalues[k], n - 1 + s.forecastEpochs);
        value += fit.last[k].re * p.re - fit.last[k].im * p.im;
      }
    } else {
      // first-snapshot amplitudes: the operator's own prediction from the first snapshot (every mode)
      const x = op.predict(data[0], n - 1 + s.forecastEpochs);
      value = x[x.length - 1];
    }
    summary.forecast = { epochs: s.forecastEpochs, value };
  }
  return summary;
}

/** The statistics of a spectrum from its eigenvalues, importances and residuals (pure). */
export function summariseSpectrum(
  eigenvalues: Complex[],
  importance: number[],
  residuals: number[],
  settings: Partial<SpectrumSettings>,
  info: Pick<SpectrumSummary, 'rank' | 'rankRule' | 'snapshots' | 'dim' | 'reconstructionError' | 'notes'>,
): SpectrumSummary {
  const s = spectrumSettings(settings);
  const r = eigenvalues.length;
  const kept = eigenvalues.map((_, k) => residuals[k] <= s.residualThreshold && Number.isFinite(importance[k]));
  let total = 0;
  for (let k = 0; k < r; k++) if (kept[k]) total += importance[k];
  const share = eigenvalues.map((_, k) => (kept[k] && total > 0 ? importance[k] / total : 0));
  const important = share.map((v, k) => kept[k] && total > 0 && v >= s.importanceThreshold);
  const nearOne = eigenvalues.map((l) => Math.hypot(l.re - 1, l.im) <= s.nearOneRadius);
  let shareNearOne = 0;
  let spectralRadius = 0;
  let unstable = 0;
  let slowest: Complex | null = null;
  for (let k = 0; k < r; k++) {
    if (!kept[k]) continue;
    const mod = cabs(eigenvalues[k]);
    spectralRadius = Math.max(spectralRadius, mod);
    if (nearOne[k]) shareNearOne += share[k];
    if (!important[k]) continue;
    if (mod > 1 + s.nearOneRadius) unstable++;
    else if (mod < 1 && !nearOne[k] && (!slowest || mod > cabs(slowest))) slowest = eigenvalues[k];
  }
  const epochsToConverge = unstable > 0 ? Infinity : slowest ? epochsToDecay(cabs(slowest), s.convergenceTolerance) : 0;
  const notes = [...info.notes];
  const dropped = kept.filter((k) => !k).length;
  if (dropped > 0) notes.push(`${dropped} of ${r} Ritz values discarded: residual above ${s.residualThreshold}`);
  return {
    eigenvalues,
    importance,
    share,
    residuals,
    kept,
    important,
    shareNearOne: Math.min(1, shareNearOne),
    spectralRadius,
    unstable,
    slowestImportant: slowest,
    epochsToConverge,
    ...info,
    notes,
    forecast: null,
  };
}

/** ⌈log ε / log|λ|⌉: epochs for λᵗ to fall to ε (at least 1 for a decaying mode). */
export function epochsToDecay(modulus: number, epsilon: number): number {
  if (!(modulus < 1)) return Infinity;
  if (modulus === 0) return 1;
  return Math.max(1, Math.ceil(Math.log(epsilon) / Math.log(modulus)));
}

function measure(amp: number, mod: number, n: number, how: SpectrumSettings['importance']): number {
  if (how === 'amplitude') return amp;
  if (how === 'latest') return amp * mod ** (n - 1);
  // energy: |α|·(Σ_{t<n} |λ|^{2t})^½, a geometric sum
  const q = mod * mod;
  const sum = Math.abs(q - 1) < 1e-12 ? n : (q ** n - 1) / (q - 1);
  return amp * Math.sqrt(sum);
}

/**
 * Coordinates of the snapshots (each with `constant` appended) in their POD basis, from one
 * engine `thinSvd` of the n × (dim + 1) snapshot matrix (Householder QR of the tall side + Jacobi,
 * no Gram matrix): the p = min(limit, #σₖ > 0) scaled left singular vectors σₖ·U[t, k], rotated
 * by the orthonormal p × p DCT-II. The result is an exact rotation of the snapshots' span, so the
 * Koopman fit that follows (eigenvalues, amplitudes, residuals: all rotation-invariant) sees what
 * it would see in the full dimension, and its rank rule, not this step, decides what is noise.
 * The DCT spreads every direction over every coordinate: without it the directions at rounding
 * level (σ ≈ ε·σ₁, which the exact SVD resolves) would be coordinates the fit counts as
 * constant, and the optimal hard threshold would judge a p × m matrix as a 3 × m one.
 * Called when dim + 1 ≥ n. Cost O(n²·dim + n·p²) flops; memory ≈ 8·(2·n + p)·(dim + 1) bytes
 * (the stacked copy, the QR factor and the p long-side vectors) — thinSvd refuses above 1 GiB.
 */
function podCoordinates(snapshots: ArrayLike<number>[], limit: number, constant: number): Float64Array[] {
  const n = snapshots.length;
  const dim = snapshots[0].length;
  const w = dim + 1;
  const x = new Float64Array(n * w);
  for (let t = 0; t < n; t++) {
    const a = snapshots[t];
    for (let i = 0; i < dim; i++) x[t * w + i] = a[i];
    x[t * w + dim] = constant;
  }
  const svd = thinSvd(x, n, w, 0, w, {
    rank: (values) => {
      let p = 0;
      while (p < Math.min(values.length, limit) && values[p] > 0) p++;
      return p;
    },
  });
  const p = svd.rank;
  // C[j][k] = c_j cos(π (k + ½) j / p), c_0 = √(1/p), c_j = √(2/p): orthonormal DCT-II.
  const C = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const c = Math.sqrt((j === 0 ? 1 : 2) / p);
    for (let k = 0; k < p; k++) C[j * p + k] = c * Math.cos((Math.PI * (k + 0.5) * j) / p);
  }
  const out: Float64Array[] = [];
  const y = new Float64Array(p);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < p; k++) y[k] = svd.values[k] * svd.u[k * n + t];
    const z = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let acc = 0;
      for (let k = 0; k < p; k++) acc += C[j * p + k] * y[k];
      z[j] = acc;
    }
    out.push(z);
  }
  return out;
}

function emptySummary(snapshots: number, dim: number, notes: string[]): SpectrumSummary {
  return {
    eigenvalues: [],
    importance: [],
    share: [],
    residuals: [],
    kept: [],
    important: [],
    shareNearOne: 0,
    spectralRadius: 0,
    unstable: 0,
    slowestImportant: null,
    epochsToConverge: 0,
    rank: 0,
    rankRule: 'no non-zero singular value',
    snapshots,
    dim,
    reconstructionError: 0,
    notes,
    forecast: null,
  };
}
