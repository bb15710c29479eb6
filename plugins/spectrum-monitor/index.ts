import { SpectrumMonitor } from './callback.js';
import type { SpectrumMonitorArgs } from './options.js';

/**
 * A drop-in replacement for `tf.callbacks.earlyStopping`: with its defaults it decides exactly as
 * earlyStopping (same option names), with a working `restoreBestWeights`, Keras's and Lightning's
 * extra options, continuation across fit() calls and a saved state. It also computes the Koopman
 * spectrum of training each epoch; with `spectral` set its rules stop or restart:
 *
 * ```ts
 * const sm = spectrumMonitor({ monitor: 'val_loss', patience: 3, restoreBestWeights: true, spectral: 'both' });
 * await model.fit(x, y, { epochs: 200, validationData, callbacks: [sm] });
 * sm.decisions; // [{ epoch, action: 'continue' | 'stop' | 'restart', rule, reason, spectrum, … }]
 * sm.shouldRestart; sm.stoppingReason; sm.bestEpoch;
 * ```
 */
export function spectrumMonitor(args: SpectrumMonitorArgs = {}): SpectrumMonitor {
  return new SpectrumMonitor(args);
}

export { SpectrumMonitor, type EpochLogs } from './callback.js';
export {
  MONITOR_MODES,
  OBSERVABLES,
  SPECTRAL_RULES,
  SPECTRUM_MONITOR_DEFAULTS,
  WINDOW_KINDS,
  resolveSpectrumMonitorArgs,
  type ResolvedSpectrumMonitorArgs,
  type SpectrumMonitorArgs,
} from './options.js';
export type { Action, Decision, DecisionRule, MonitorMode, Observable, SpectralRules, WindowKind } from './types.js';
export type { JsonNumber, SpectrumMonitorState } from './state.js';
export { EIGENVALUE_SVG_DEFAULTS, eigenvalueSvg, type EigenvalueSvgOptions, type PlottableSpectrum } from './svg.js';
