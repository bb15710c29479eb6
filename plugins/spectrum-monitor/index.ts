import { SpectrumMonitor } from './callback.js';
import type { SpectrumMonitorArgs } from './options.js';

/**
 * A drop-in replacement for `tf.callbacks.earlyStopping` (same option names, plus a working
 * `restoreBestWeights`) that also decides from the Koopman spectrum of training:
 *
 * ```ts
 * const sm = spectrumMonitor({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
 * await model.fit(x, y, { epochs: 200, validationData, callbacks: [sm] });
 * sm.decisions; // [{ epoch, action: 'continue' | 'stop' | 'restart', rule, reason, spectrum, … }]
 * sm.shouldRestart;
 * ```
 */
export function spectrumMonitor(args: SpectrumMonitorArgs = {}): SpectrumMonitor {
  return new SpectrumMonitor(args);
}

export { SpectrumMonitor, type EpochLogs } from './callback.js';
export {
  decide,
  initialPatience,
  updatePatience,
  type Action,
  type Decision,
  type DecisionInput,
  type DecisionRule,
  type PatienceState,
  type Verdict,
} from './decide.js';
export { modeAmplitudes, type ModeAmplitudes } from './amplitudes.js';
export { hankel } from './hankel.js';
export {
  IMPORTANCE_MEASURES,
  MONITOR_MODES,
  OBSERVABLES,
  SPECTRUM_MONITOR_DEFAULTS,
  WINDOW_KINDS,
  monitorDirection,
  resolveSpectrumMonitorArgs,
  type ImportanceMeasure,
  type MonitorMode,
  type Observable,
  type ResolvedSpectrumMonitorArgs,
  type SpectrumMonitorArgs,
  type WindowKind,
} from './options.js';
export { epochsToDecay, seriesSpectrum, snapshotSpectrum, summarise, weightSpectrum, type SpectrumSettings, type SpectrumSummary } from './spectrum.js';
export { EIGENVALUE_SVG_DEFAULTS, eigenvalueSvg, type EigenvalueSvgOptions, type PlottableSpectrum } from './svg.js';
