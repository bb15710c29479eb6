import { validateRankRule, type RankRule } from '../../src/linalg/rank.js';
import { AMPLITUDE_FITS, type AmplitudeFit } from '../../src/koopman/amplitudes.js';
import { IMPORTANCE_MEASURES, SPECTRUM_DEFAULTS, type ImportanceMeasure } from '../../src/spectrum/settings.js';
import type { Decision, MonitorMode, Observable, SpectralRules, WindowKind } from './types.js';

export { IMPORTANCE_MEASURES, type ImportanceMeasure };
export type { MonitorMode, Observable, SpectralRules, WindowKind };

export const OBSERVABLES: readonly Observable[] = ['loss', 'weights'];
export const WINDOW_KINDS: readonly WindowKind[] = ['growing', 'sliding'];
export const MONITOR_MODES: readonly MonitorMode[] = ['auto', 'min', 'max'];
export const SPECTRAL_RULES: readonly SpectralRules[] = ['off', 'stop', 'restart', 'both'];

/**
 * Options of {@link spectrumMonitor}. The first seven have the names and meaning of
 * `tf.callbacks.earlyStopping`'s, `startFromEpoch` is Keras's, `checkFinite`,
 * `stoppingThreshold`, `divergenceThreshold` and `strict` are PyTorch Lightning's; the rest
 * configure the Koopman spectrum. With every default the monitor decides exactly as
 * `tf.callbacks.earlyStopping` (the spectral rules are off, `spectral: 'off'`). Every default lives
 * in {@link SPECTRUM_MONITOR_DEFAULTS}.
 */
export interface SpectrumMonitorArgs {
  /** Quantity to monitor, a key of the epoch logs (`val_loss`, `loss`, `val_acc`, …). @default 'val_loss' */
  monitor?: string;
  /** Smallest change that counts as an improvement (its absolute value is used, as in tfjs). @default 0 */
  minDelta?: number;
  /** Epochs without improvement after which training stops. @default 0 */
  patience?: number;
  /** `min`, `max`, or `auto` (max when the monitor's name contains "acc", else min). @default 'auto' */
  mode?: MonitorMode;
  /** Training stops if the monitor does not improve on this value (null: no baseline). @default null */
  baseline?: number | null;
  /** 0: silent; 1: log stop/restart decisions; 2: log every decision. @default 0 */
  verbose?: number;
  /**
   * When training ends — a stop or restart decision, a threshold, or fit()'s epoch budget running
   * out — write back the weights of the epoch with the best monitored value (as Keras does).
   * @default false
   */
  restoreBestWeights?: boolean;
  /** Keras: epochs with an index below this are a warm-up: nothing is monitored (no best, no wait) and no rule stops training except `checkFinite`. @default 0 */
  startFromEpoch?: number;
  /**
   * Lightning: stop as soon as the monitor is NaN or ±Infinity. Off by default so that the
   * default monitor is tfjs's earlyStopping, which counts a NaN as an epoch without improvement
   * (Lightning's own default is true). @default false
   */
  checkFinite?: boolean;
  /** Lightning: stop as soon as the monitor is strictly better than this (null: no such rule). @default null */
  stoppingThreshold?: number | null;
  /** Lightning: stop as soon as the monitor is strictly worse than this (null: no such rule). @default null */
  divergenceThreshold?: number | null;
  /**
   * Lightning: throw at the first epoch whose logs lack the monitored key, instead of warning once.
   * Off by default as in tfjs and Keras (Lightning's default is true).
   * @default false
   */
  strict?: boolean;
  /**
   * Which spectral rules may decide: `'off'` (none: the decisions are tf.callbacks.earlyStopping's,
   * the spectra are still computed and reported), `'stop'` (the fixed-point stop), `'restart'`
   * (restart on a growing mode, a poor fixed point, a poor forecast, a non-finite monitor or
   * weights), `'both'` (every rule: the monitor of the spectrum study). @default 'off'
   */
  spectral?: SpectralRules;

  /** Observables to decompose: 'loss' (Hankel series of the monitor), 'weights' (POD of the trainable weights). @default ['loss'] */
  observables?: Observable[];
  /**
   * Window of epochs fed to the DMD. A growing window holds every epoch since training began:
   * with the 'weights' observable that is epochs × trainable weights × 4 bytes, and each epoch's
   * fit costs O(epochs²·weights). @default 'sliding'
   */
  window?: WindowKind;
  /** Epochs a sliding window holds (ignored by a growing window). @default 30 */
  windowSize?: number;
  /** Delay-embedding depth of the loss observable (the length of each Hankel snapshot). @default 10 */
  delays?: number;
  /** DMD rank rule: 0 optimal hard threshold, 0 < r < 1 energy, integer ≥ 1 that rank, −1 full. @default 0 */
  rank?: RankRule;
  /** Eigenvalues with |λ − 1| ≤ this count as "near 1"; |λ| > 1 + this counts as growing. @default 0.02 */
  nearOneRadius?: number;
  /** How a mode's importance is measured from its amplitude. @default 'latest' */
  importance?: ImportanceMeasure;
  /** Which amplitude definition: `'window'` (least squares over the window) or `'first-snapshot'` (DMD's W⁻¹z₀). @default 'window' */
  amplitudes?: AmplitudeFit;
  /** A mode is important when its share of the total importance of the kept modes is at least this. @default 0.05 */
  importanceThreshold?: number;
  /** Ritz pairs whose DMD_RRR residual exceeds this are discarded as spurious. @default 0.1 */
  residualThreshold?: number;
  /** Stop (fixed point) when at least this share of the importance lies near 1 in every observable. @default 0.9 */
  clusterShare?: number;
  /** ε of the epochs-to-converge estimate log ε / log|λ| of the slowest important transient. @default 0.01 */
  convergenceTolerance?: number;
  /**
   * The monitored value a good run reaches. A fixed point reached while the monitor is still worse
   * than this is a bad initialisation: the decision is 'restart'. null: never restart for that.
   * @default null
   */
  target?: number | null;
  /**
   * Forecast restart: when set (with `target` and the 'loss' observable), restart a run whose
   * monitor is worse than `target` and whose Koopman forecast ({@link SpectrumMonitor.forecast}:
   * the window's delay embedding with a constant observable, evolved this many epochs past the
   * window) is still worse than `target`. null: no forecast rule.
   * @default null
   */
  forecastEpochs?: number | null;
  /** With `spectral` on, no spectral stop or restart before this many epochs have been seen (patience still applies). @default 20 */
  minEpochs?: number;
  /** Called with every decision once it is recorded and acted on (training stopped, weights restored). @default null */
  onDecision?: ((decision: Decision) => void | Promise<void>) | null;
}

export type ResolvedSpectrumMonitorArgs = Required<SpectrumMonitorArgs>;

export const SPECTRUM_MONITOR_DEFAULTS: Readonly<ResolvedSpectrumMonitorArgs> = Object.freeze({
  monitor: 'val_loss',
  minDelta: 0,
  patience: 0,
  mode: 'auto',
  baseline: null,
  verbose: 0,
  restoreBestWeights: false,
  observables: Object.freeze(['loss']) as unknown as Observable[],
  window: 'sliding',
  windowSize: 30,
  delays: 10,
  rank: SPECTRUM_DEFAULTS.rank,
  nearOneRadius: SPECTRUM_DEFAULTS.nearOneRadius,
  importance: SPECTRUM_DEFAULTS.importance,
  amplitudes: SPECTRUM_DEFAULTS.amplitudes,
  importanceThreshold: SPECTRUM_DEFAULTS.importanceThreshold,
  residualThreshold: SPECTRUM_DEFAULTS.residualThreshold,
  clusterShare: 0.9,
  convergenceTolerance: SPECTRUM_DEFAULTS.convergenceTolerance,
  target: null,
  forecastEpochs: SPECTRUM_DEFAULTS.forecastEpochs,
  minEpochs: 20,
  onDecision: null,
  startFromEpoch: 0,
  checkFinite: false,
  stoppingThreshold: null,
  divergenceThreshold: null,
  strict: false,
  spectral: 'off',
});

const KNOWN = Object.keys(SPECTRUM_MONITOR_DEFAULTS);

/**
 * Fills defaults and checks every option, throwing an error that names the option and the values
 * it accepts. Unknown option names are errors too (a misspelt `restoreBestWeight` would otherwise
 * be silently ignored).
 */
export function resolveSpectrumMonitorArgs(args: SpectrumMonitorArgs = {}): ResolvedSpectrumMonitorArgs {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`spectrumMonitor options must be an object; got ${describe(args)}`);
  }
  for (const key of Object.keys(args)) {
    if (!KNOWN.includes(key)) {
      throw new Error(`unknown spectrumMonitor option '${key}'; accepted options are ${KNOWN.join(', ')}`);
    }
  }
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) given[k] = v;
  const o = { ...SPECTRUM_MONITOR_DEFAULTS, ...given } as ResolvedSpectrumMonitorArgs;

  if (typeof o.monitor !== 'string' || o.monitor.length === 0) {
    throw new Error(`monitor must be a non-empty string naming a log key such as 'val_loss' or 'loss'; got ${describe(o.monitor)}`);
  }
  finite('minDelta', o.minDelta, 'a finite number (its absolute value is used)');
  o.minDelta = Math.abs(o.minDelta);
  integer('patience', o.patience, 0);
  if (!MONITOR_MODES.includes(o.mode)) throw new Error(`mode must be one of ${MONITOR_MODES.join(', ')}; got ${describe(o.mode)}`);
  if (o.baseline !== null) finite('baseline', o.baseline, 'a finite number or null');
  integer('verbose', o.verbose, 0);
  bool('restoreBestWeights', o.restoreBestWeights);
  integer('startFromEpoch', o.startFromEpoch, 0);
  bool('checkFinite', o.checkFinite);
  if (o.stoppingThreshold !== null) finite('stoppingThreshold', o.stoppingThreshold, 'a finite number or null');
  if (o.divergenceThreshold !== null) finite('divergenceThreshold', o.divergenceThreshold, 'a finite number or null');
  bool('strict', o.strict);
  if (!SPECTRAL_RULES.includes(o.spectral)) {
    throw new Error(`spectral must be one of ${SPECTRAL_RULES.map((x) => `'${x}'`).join(', ')}; got ${describe(o.spectral)}`);
  }

  if (!Array.isArray(o.observables) || o.observables.length === 0 || o.observables.some((x) => !OBSERVABLES.includes(x))) {
    throw new Error(`observables must be a non-empty array of ${OBSERVABLES.map((x) => `'${x}'`).join(', ')}; got ${describe(o.observables)}`);
  }
  o.observables = [...new Set(o.observables)];
  if (!WINDOW_KINDS.includes(o.window)) throw new Error(`window must be one of ${WINDOW_KINDS.join(', ')}; got ${describe(o.window)}`);
  integer('windowSize', o.windowSize, 3);
  integer('delays', o.delays, 1);
  if (o.window === 'sliding' && o.observables.includes('loss') && o.windowSize < o.delays + 2) {
    throw new Error(
      `windowSize must be at least delays + 2 = ${o.delays + 2} so the loss observable has two Hankel snapshot pairs; got windowSize ${o.windowSize} with delays ${o.delays}`,
    );
  }
  validateRankRule(o.rank, 'rank');
  if (typeof o.nearOneRadius !== 'number' || !(o.nearOneRadius > 0 && o.nearOneRadius < 1)) {
    throw new Error(`nearOneRadius must be a number in (0, 1); got ${describe(o.nearOneRadius)}`);
  }
  if (!AMPLITUDE_FITS.includes(o.amplitudes)) {
    throw new Error(`amplitudes must be one of ${AMPLITUDE_FITS.join(', ')}; got ${describe(o.amplitudes)}`);
  }
  if (!IMPORTANCE_MEASURES.includes(o.importance)) {
    throw new Error(`importance must be one of ${IMPORTANCE_MEASURES.join(', ')}; got ${describe(o.importance)}`);
  }
  fraction('importanceThreshold', o.importanceThreshold, true);
  if (typeof o.residualThreshold !== 'number' || !(o.residualThreshold > 0)) {
    throw new Error(`residualThreshold must be a number > 0 (Infinity keeps every Ritz pair); got ${describe(o.residualThreshold)}`);
  }
  fraction('clusterShare', o.clusterShare, false);
  if (typeof o.convergenceTolerance !== 'number' || !(o.convergenceTolerance > 0 && o.convergenceTolerance < 1)) {
    throw new Error(`convergenceTolerance must be a number in (0, 1); got ${describe(o.convergenceTolerance)}`);
  }
  if (o.target !== null) finite('target', o.target, 'a finite number or null');
  if (o.forecastEpochs !== null) {
    integer('forecastEpochs', o.forecastEpochs, 1);
    if (o.target === null || !o.observables.includes('loss')) {
      throw new Error(`forecastEpochs needs a target and the 'loss' observable (it forecasts the monitored value against the target); got target ${describe(o.target)}, observables ${describe(o.observables)}`);
    }
  }
  integer('minEpochs', o.minEpochs, 0);
  if (o.onDecision !== null && typeof o.onDecision !== 'function') {
    throw new Error(`onDecision must be a function (decision) => void or null; got ${describe(o.onDecision)}`);
  }
  return o;
}

/** Whether the spectral stop rule (fixed point) may decide. */
export function spectralStops(o: Pick<ResolvedSpectrumMonitorArgs, 'spectral'>): boolean {
  return o.spectral === 'stop' || o.spectral === 'both';
}

/** Whether the restart rules may decide. */
export function spectralRestarts(o: Pick<ResolvedSpectrumMonitorArgs, 'spectral'>): boolean {
  return o.spectral === 'restart' || o.spectral === 'both';
}

/** 'min' or 'max' after resolving 'auto' the way tfjs does (max when the name contains "acc"). */
export function monitorDirection(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return monitor.includes('acc') ? 'max' : 'min';
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function finite(name: string, v: unknown, accepted: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be ${accepted}; got ${describe(v)}`);
}

function integer(name: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${name} must be an integer ≥ ${min}; got ${describe(v)}`);
  }
}

function bool(name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${name} must be true or false; got ${describe(v)}`);
}

function fraction(name: string, v: unknown, allowZero: boolean): void {
  const ok = typeof v === 'number' && (allowZero ? v >= 0 : v > 0) && v <= 1;
  if (!ok) throw new Error(`${name} must be a number in ${allowZero ? '[0, 1]' : '(0, 1]'}; got ${describe(v)}`);
}
