import type { SpectrumSummary } from '../../src/spectrum/spectrum.js';

/** What the monitor decomposes: the monitored quantity (delay-embedded) and/or the trainable weights. */
export type Observable = 'loss' | 'weights';
/** `growing`: every epoch since training began; `sliding`: the last `windowSize` epochs. */
export type WindowKind = 'growing' | 'sliding';
export type MonitorMode = 'auto' | 'min' | 'max';

/** Which spectral rules may decide (see the `spectral` option). */
export type SpectralRules = 'off' | 'stop' | 'restart' | 'both';

export type Action = 'continue' | 'stop' | 'restart';

/** Which rule produced a decision. */
export type DecisionRule =
  | 'watching' // nothing says stop: the monitor improved or is within patience, the spectrum is not at a fixed point
  | 'missing' // the monitored key is not in the logs
  | 'warm-up' // before startFromEpoch: nothing is monitored
  | 'non-finite' // the monitored value (or, with restarts on, a weight) is NaN or ±Infinity
  | 'stopping-threshold' // the monitor is better than stoppingThreshold: stop
  | 'divergence-threshold' // the monitor is worse than divergenceThreshold: stop
  | 'growth' // an important growing mode while the monitor got worse: restart
  | 'poor-fixed-point' // a fixed point worse than `target`: restart
  | 'poor-forecast' // worse than `target` and forecast (forecastEpochs ahead) to stay worse: restart
  | 'fixed-point' // important eigenvalues cluster at 1: stop
  | 'patience'; // tfjs earlyStopping's rule: stop

/** One epoch's verdict, with a reason a person can read. */
export interface Decision {
  epoch: number;
  action: Action;
  rule: DecisionRule;
  reason: string;
  /** The monitored value this epoch (null when it was missing). */
  value: number | null;
  /** The spectrum of the first observable in `observables` (null until there is enough data). */
  spectrum: SpectrumSummary | null;
  /** Every observable's spectrum this epoch. */
  spectra: Partial<Record<Observable, SpectrumSummary>>;
}
