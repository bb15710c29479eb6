import { seriesSpectrum, weightSpectrum, type SpectrumSettings, type SpectrumSummary } from '../../src/spectrum/spectrum.js';
import { cabs } from '../../src/linalg/complex.js';
import type { RunLog } from './record.js';

/** |λ − 1| at most this counts as "near 1" in the Fig. 2 check. */
export const FIG2_NEAR_ONE = 0.05;
/** |λ| at most this counts as "near 0" in the Fig. 2 check. */
export const FIG2_NEAR_ZERO = 0.3;
/**
 * Spectrum settings of the Fig. 2 check: seed 003's importance |φₖ| (the amplitude of a mode in
 * the reconstruction of the window), the optimal hard threshold rank, the monitor's residual
 * filter for spurious Ritz values, and FIG2_NEAR_ONE as the radius of "near 1".
 */
export const FIG2_SPECTRUM: Partial<SpectrumSettings> = { importance: 'amplitude', rank: 0, residualThreshold: 0.1, nearOneRadius: FIG2_NEAR_ONE };

export type WindowLabel = 'early' | 'middle' | 'late';
export const WINDOW_LABELS: readonly WindowLabel[] = ['early', 'middle', 'late'];
export type Fig2Observable = 'loss' | 'weights';

/** One spectrum of Fig. 2 and the numbers the check reads from it. */
export interface WindowSpectrum {
  observable: Fig2Observable;
  label: WindowLabel;
  /** Snapshots w_0 … w_{n−1} (the first n epochs, the initialisation included). */
  window: number;
  /** Hankel depth of the loss observable (⌊n/2⌋); 0 for weights. */
  delays: number;
  spectrum: SpectrumSummary;
  /** Share of the kept importance with |λ − 1| ≤ FIG2_NEAR_ONE. */
  shareNearOne: number;
  /** Share of the kept importance with |λ| ≤ FIG2_NEAR_ZERO. */
  shareNearZero: number;
  /** Importance-weighted mean |λ| of the kept modes. */
  meanModulus: number;
  /** |λ| of the most important kept mode that is not near 1 (NaN when every kept mode is near 1). */
  leadingTransient: number;
}

/** The numbers of a {@link WindowSpectrum} kept after the run (the spectrum itself is dropped). */
export type Fig2Numbers = Omit<WindowSpectrum, 'spectrum'> & { rank: number; kept: number };

export function fig2Numbers(w: WindowSpectrum): Fig2Numbers {
  const { spectrum, ...rest } = w;
  return { ...rest, rank: spectrum.rank, kept: spectrum.kept.filter(Boolean).length };
}

/** Window lengths (snapshots) from budget fractions: at least 4, at most the snapshots recorded. */
export function windowLengths(fractions: number[], epochs: number): number[] {
  return fractions.map((f) => Math.max(4, Math.min(epochs + 1, Math.round(f * epochs))));
}

/**
 * Seed 003's Fig. 2 for one run: spectra of the training-loss observable (Hankel, depth ⌊n/2⌋)
 * and of the weight observable over the first n snapshots for each window length; windows
 * longer than the run are skipped.
 */
export function fig2Spectra(log: Pick<RunLog, 'points' | 'weights'>, lossWindows: number[], weightWindows: number[]): WindowSpectrum[] {
  const out: WindowSpectrum[] = [];
  const available = log.points.length;
  lossWindows.forEach((n, i) => {
    if (n > available) return;
    const delays = Math.max(1, Math.floor(n / 2));
    const series = log.points.slice(0, n).map((p) => p.trainLoss);
    out.push(windowSpectrum('loss', WINDOW_LABELS[i], n, delays, seriesSpectrum(series, delays, FIG2_SPECTRUM)));
  });
  if (log.weights) {
    weightWindows.forEach((n, i) => {
      if (n > log.weights!.length) return;
      out.push(windowSpectrum('weights', WINDOW_LABELS[i], n, 0, weightSpectrum(log.weights!.slice(0, n), FIG2_SPECTRUM)));
    });
  }
  return out;
}

/** One window's spectrum with the Fig. 2 shares (near 0, near 1), mean |λ| and leading transient. O(modes). */
function windowSpectrum(observable: Fig2Observable, label: WindowLabel, window: number, delays: number, s: SpectrumSummary): WindowSpectrum {
  let near1 = 0;
  let near0 = 0;
  let mean = 0;
  let lead = -1;
  s.eigenvalues.forEach((l, k) => {
    if (!s.kept[k]) return;
    const m = cabs(l);
    const one = Math.hypot(l.re - 1, l.im) <= FIG2_NEAR_ONE;
    if (one) near1 += s.share[k];
    else if (lead < 0 || s.share[k] > s.share[lead]) lead = k;
    if (m <= FIG2_NEAR_ZERO) near0 += s.share[k];
    mean += s.share[k] * m;
  });
  const leadingTransient = lead < 0 ? NaN : cabs(s.eigenvalues[lead]);
  return { observable, label, window, delays, spectrum: s, shareNearOne: near1, shareNearZero: near0, meanModulus: mean, leadingTransient };
}
