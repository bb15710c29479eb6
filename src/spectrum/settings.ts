import type { AmplitudeFit } from '../koopman/amplitudes.js';
import type { RankRule } from '../linalg/rank.js';

/**
 * How a mode's importance is measured from its amplitude αₖ (the first snapshot of the window
 * written in unit-norm DMD modes, seed 003's |φₖ|):
 * - `amplitude`: |αₖ|, the mode's size at the start of the window;
 * - `latest`: |αₖ|·|λₖ|ⁿ⁻¹, its size at the newest snapshot (what still matters now);
 * - `energy`: |αₖ|·(Σₜ|λₖ|²ᵗ)^½ over the window's n snapshots.
 */
export type ImportanceMeasure = 'amplitude' | 'latest' | 'energy';
export const IMPORTANCE_MEASURES: readonly ImportanceMeasure[] = ['amplitude', 'latest', 'energy'];

/** What a spectrum needs to know. Every default lives in {@link SPECTRUM_DEFAULTS}. */
export interface SpectrumSettings {
  /** DMD rank rule: 0 optimal hard threshold, 0 < r < 1 energy, integer ≥ 1 that rank, −1 full. @default 0 */
  rank: RankRule;
  /** Eigenvalues with |λ − 1| ≤ this count as "near 1"; |λ| > 1 + this counts as growing. @default 0.02 */
  nearOneRadius: number;
  /** How a mode's importance is measured from its amplitude. @default 'latest' */
  importance: ImportanceMeasure;
  /** Which amplitude definition (src/koopman/amplitudes.ts): `'window'` or `'first-snapshot'`. @default 'window' */
  amplitudes: AmplitudeFit;
  /** A mode is important when its share of the total importance of the kept modes is at least this. @default 0.05 */
  importanceThreshold: number;
  /** Ritz pairs whose DMD_RRR residual exceeds this are discarded as spurious. @default 0.1 */
  residualThreshold: number;
  /** ε of the epochs-to-converge estimate log ε / log|λ| of the slowest important transient. @default 0.01 */
  convergenceTolerance: number;
  /** Loss observable: also forecast the series this many steps past the window (null: no forecast). @default null */
  forecastEpochs: number | null;
}

export const SPECTRUM_DEFAULTS: Readonly<SpectrumSettings> = Object.freeze({
  rank: 0,
  nearOneRadius: 0.02,
  importance: 'latest',
  amplitudes: 'window',
  importanceThreshold: 0.05,
  residualThreshold: 0.1,
  convergenceTolerance: 0.01,
  forecastEpochs: null,
});

/** The settings with every field not given taken from {@link SPECTRUM_DEFAULTS}. */
export function spectrumSettings(partial: Partial<SpectrumSettings> = {}): SpectrumSettings {
  const out = { ...SPECTRUM_DEFAULTS } as SpectrumSettings;
  for (const key of Object.keys(SPECTRUM_DEFAULTS) as (keyof SpectrumSettings)[]) {
    const v = partial[key];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}
