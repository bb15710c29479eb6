import { cabs, type Complex } from '../../src/linalg/complex.js';
import type { SpectrumSummary } from '../../src/spectrum/spectrum.js';
import { monitorDirection, spectralRestarts, spectralStops, type ResolvedSpectrumMonitorArgs } from './options.js';
import type { Action, Decision, DecisionRule, Observable } from './types.js';

export type { Action, Decision, DecisionRule };

/** tfjs earlyStopping's bookkeeping. */
export interface PatienceState {
  best: number;
  /** Epoch of `best`, null while the baseline (or ±Infinity) has not been beaten. */
  bestEpoch: number | null;
  wait: number;
}

type PatienceOptions = Pick<ResolvedSpectrumMonitorArgs, 'monitor' | 'mode' | 'minDelta' | 'baseline'>;

/** The state tfjs's `onTrainBegin` sets: wait 0, best = baseline or ±Infinity. */
export function initialPatience(o: PatienceOptions): PatienceState {
  const dir = monitorDirection(o.monitor, o.mode);
  return { best: o.baseline ?? (dir === 'min' ? Infinity : -Infinity), bestEpoch: null, wait: 0 };
}

/**
 * tfjs earlyStopping's update: an improvement is `current − minDelta < best` in min mode
 * (`current − minDelta > best` in max mode, minDelta taken positive there); an improvement sets
 * best and resets wait, anything else (NaN included) increments wait.
 */
export function updatePatience(
  state: PatienceState,
  current: number,
  epoch: number,
  o: PatienceOptions,
): { state: PatienceState; improved: boolean } {
  const dir = monitorDirection(o.monitor, o.mode);
  const improved = dir === 'min' ? current + o.minDelta < state.best : current - o.minDelta > state.best;
  if (improved) return { state: { best: current, bestEpoch: epoch, wait: 0 }, improved };
  return { state: { ...state, wait: state.wait + 1 }, improved };
}

/** What `decide` looks at. */
export interface DecisionInput {
  epoch: number;
  /** Epochs seen since training began (this one included). */
  epochsSeen: number;
  /** Monitored value (undefined when missing from the logs). */
  value: number | undefined;
  /** Log keys available, for the message when the monitor is missing. */
  available?: string[];
  /** Patience state after this epoch's update, and whether this epoch improved. */
  patience: PatienceState;
  improved: boolean;
  /** Monitored value at the first epoch of the spectral window (growth is confirmed against it). */
  windowStartValue: number | null;
  spectra: Partial<Record<Observable, SpectrumSummary>>;
  /** Why an observable has no spectrum this epoch (too few epochs, a fit error, …). */
  pending: Partial<Record<Observable, string>>;
  /**
   * The monitor's forecast `forecastEpochs` ahead (`SpectrumMonitor.forecast`), read by the
   * forecast restart; when absent the loss spectrum's own mode forecast is read instead.
   */
  forecast?: { epochs: number; value: number } | null;
}

export interface Verdict {
  action: Action;
  rule: DecisionRule;
  reason: string;
}

/**
 * The monitor's decision for one epoch (pure). In order:
 * 1. a missing monitor value decides nothing (as in tfjs);
 * 2. a non-finite one: restart when the restart rules are on (`spectral` 'restart' or 'both'),
 *    stop when `checkFinite` is set, otherwise it counts as an epoch without improvement (tfjs);
 * 3. before `startFromEpoch` nothing else decides (Keras's warm-up);
 * 4. `stoppingThreshold` / `divergenceThreshold` (Lightning): stop once the monitor is strictly
 *    better / worse than the threshold;
 * 5. from `minEpochs` on, with the restart rules on, an important growing mode
 *    (|λ| > 1 + nearOneRadius) in any observable while the monitor got worse over the window: restart;
 * 6. from `minEpochs` on, with a spectral rule on, every observable with at least `clusterShare`
 *    of its importance within `nearOneRadius` of λ = 1 and no kept eigenvalue outside
 *    |λ| ≤ 1 + nearOneRadius (seed 003's stability criterion) is at a fixed point: restart when the
 *    restart rules are on and the monitor is still worse than `target`, stop when the stop rule is on;
 * 7. from `minEpochs` on, with the restart rules on and `forecastEpochs` set: the monitor worse
 *    than `target` and the Koopman forecast `forecastEpochs` epochs ahead (`input.forecast`, else
 *    the loss spectrum's mode forecast) still worse than `target`: restart;
 * 8. tfjs earlyStopping's patience rule: stop;
 * 9. otherwise continue.
 * With `spectral: 'off'` and the other options at their defaults only 1, 8 and 9 can fire: the
 * decisions are tf.callbacks.earlyStopping's.
 */
export function decide(input: DecisionInput, o: ResolvedSpectrumMonitorArgs): Verdict {
  const { monitor } = o;
  const dir = monitorDirection(monitor, o.mode);
  const v = input.value;
  const restarts = spectralRestarts(o);
  const stops = spectralStops(o);
  if (v === undefined) {
    const keys = input.available && input.available.length ? input.available.join(', ') : 'none';
    return { action: 'continue', rule: 'missing', reason: `${monitor} is not in the logs (available: ${keys}); nothing to decide` };
  }
  if (!Number.isFinite(v) && (restarts || o.checkFinite)) {
    const diverged = `${monitor} is ${v} at epoch ${input.epoch}: training diverged`;
    if (restarts) {
      return { action: 'restart', rule: 'non-finite', reason: `${diverged}; re-initialise the weights (a lower learning rate may help)` };
    }
    return { action: 'stop', rule: 'non-finite', reason: `${diverged} (checkFinite)` };
  }
  if (input.epoch < o.startFromEpoch) {
    return {
      action: 'continue',
      rule: 'warm-up',
      reason: `epoch ${input.epoch} is before startFromEpoch = ${o.startFromEpoch}: warm-up, ${monitor} = ${fmt(v)} not monitored`,
    };
  }
  const better = (x: number, t: number) => (dir === 'min' ? x < t : x > t);
  if (o.stoppingThreshold !== null && Number.isFinite(v) && better(v, o.stoppingThreshold)) {
    return {
      action: 'stop',
      rule: 'stopping-threshold',
      reason: `${monitor} = ${fmt(v)} is ${dir === 'min' ? 'below' : 'above'} stoppingThreshold = ${fmt(o.stoppingThreshold)}: good enough, stop`,
    };
  }
  if (o.divergenceThreshold !== null && Number.isFinite(v) && better(o.divergenceThreshold, v)) {
    return {
      action: 'stop',
      rule: 'divergence-threshold',
      reason: `${monitor} = ${fmt(v)} is ${dir === 'min' ? 'above' : 'below'} divergenceThreshold = ${fmt(o.divergenceThreshold)}: training diverged, stop`,
    };
  }
  const spectral = (restarts || stops) && input.epochsSeen >= o.minEpochs;
  const observed = o.observables.filter((k) => input.spectra[k]);
  const ready = spectral && Number.isFinite(v) && observed.length === o.observables.length;

  if (ready) {
    // 5. growth
    const growing = observed.map((k) => ({ k, s: input.spectra[k]! })).filter(({ s }) => s.unstable > 0);
    const start = input.windowStartValue;
    const worse = start !== null && (dir === 'min' ? v > start + o.minDelta : v < start - o.minDelta);
    if (restarts && growing.length > 0 && worse) {
      const { k, s } = growing[0];
      const g = fastestGrowing(s);
      return {
        action: 'restart',
        rule: 'growth',
        reason:
          `growing mode λ = ${fmtC(g.lambda)} (|λ| = ${fmt(cabs(g.lambda))} > 1 + ${o.nearOneRadius}, ${pct(g.share)} of the importance) ` +
          `in the ${k} spectrum while ${monitor} went from ${fmt(start!)} to ${fmt(v)} over the window: ` +
          `training is diverging from this initialisation; re-initialise`,
      };
    }
    // 6. fixed point: the stability criterion of seed 003 (every kept |λ| ≤ 1, up to the radius)
    //    with the importance clustered at 1
    const radius = 1 + o.nearOneRadius;
    const clustered = observed.every((k) => input.spectra[k]!.shareNearOne >= o.clusterShare && input.spectra[k]!.spectralRadius <= radius);
    if (clustered) {
      const where = observed.map((k) => `${pct(input.spectra[k]!.shareNearOne)} in the ${k} spectrum`).join(', ');
      const cluster = `important eigenvalues cluster at 1 (${where} within ${o.nearOneRadius} of λ = 1, no growing mode)`;
      const target = o.target;
      if (restarts && target !== null && (dir === 'min' ? v > target : v < target)) {
        return {
          action: 'restart',
          rule: 'poor-fixed-point',
          reason: `${cluster}, but ${monitor} = ${fmt(v)} is still ${dir === 'min' ? 'above' : 'below'} the target ${fmt(target)}: this initialisation converged to a poor fixed point; re-initialise`,
        };
      }
      if (stops) {
        return { action: 'stop', rule: 'fixed-point', reason: `${cluster}: training has reached a fixed point. ${transient(o, input, observed)}` };
      }
    }
    // 7. forecast
    const fc = input.forecast !== undefined ? input.forecast : input.spectra.loss?.forecast;
    const target = o.target;
    const worseThan = (x: number, t: number) => (dir === 'min' ? x > t : x < t);
    if (restarts && fc && target !== null && worseThan(v, target) && Number.isFinite(fc.value) && worseThan(fc.value, target)) {
      return {
        action: 'restart',
        rule: 'poor-forecast',
        reason:
          `${monitor} = ${fmt(v)} is ${dir === 'min' ? 'above' : 'below'} the target ${fmt(target)}, and the Koopman forecast of the loss spectrum puts it at ${fmt(fc.value)} ` +
          `${fc.epochs} epochs from now, still ${dir === 'min' ? 'above' : 'below'} the target: this initialisation is too slow to get there; re-initialise`,
      };
    }
  }

  // 8. tfjs earlyStopping
  const p = input.patience;
  if (!input.improved && p.wait >= o.patience) {
    const since =
      p.bestEpoch === null
        ? o.baseline !== null
          ? `did not improve on the baseline ${fmt(o.baseline)}`
          : 'never improved'
        : `did not improve on its best ${fmt(p.best)} (epoch ${p.bestEpoch})`;
    return {
      action: 'stop',
      rule: 'patience',
      reason: `${monitor} ${since} by more than minDelta = ${o.minDelta} for ${p.wait} epoch${p.wait === 1 ? '' : 's'} (patience ${o.patience})`,
    };
  }

  // 9. continue
  const head = input.improved ? `${monitor} improved to ${fmt(v)}` : `${monitor} = ${fmt(v)}, no improvement for ${p.wait} of ${o.patience} epochs`;
  let tail: string;
  const off = !(restarts || stops);
  if (off) tail = "spectral rules off (spectral: 'off')";
  else if (!spectral) tail = `spectral decisions start after ${o.minEpochs} epochs (seen ${input.epochsSeen})`;
  else if (!ready) {
    tail = o.observables
      .filter((k) => !input.spectra[k])
      .map((k) => `${k} spectrum pending: ${input.pending[k] ?? 'not enough data'}`)
      .join('; ');
  } else {
    tail = observed
      .map((k) => {
        const s = input.spectra[k]!;
        let grow = '';
        if (s.spectralRadius > 1 + o.nearOneRadius) {
          const modes = `${s.unstable} important growing mode${s.unstable > 1 ? 's' : ''} (spectral radius ${fmt(s.spectralRadius)})`;
          grow =
            s.unstable === 0
              ? `, a growing mode not yet important (spectral radius ${fmt(s.spectralRadius)}): not a fixed point`
              : restarts
                ? `, ${modes} but ${monitor} is not worse than at the window start`
                : `, ${modes}: not a fixed point (restart rules off)`;
        }
        return `${k}: ${pct(s.shareNearOne)} of the importance near 1 (stop at ${pct(o.clusterShare)})${grow}`;
      })
      .join('; ');
    tail += `. ${transient(o, input, observed)}`;
  }
  return { action: 'continue', rule: 'watching', reason: `${head}; ${tail}` };
}

function transient(o: ResolvedSpectrumMonitorArgs, input: DecisionInput, observed: Observable[]): string {
  let best: { k: Observable; s: SpectrumSummary } | null = null;
  for (const k of observed) {
    const s = input.spectra[k]!;
    if (s.slowestImportant && (!best || s.epochsToConverge > best.s.epochsToConverge)) best = { k, s };
  }
  if (!best) return 'No important transient remains.';
  const l = best.s.slowestImportant!;
  return (
    `Slowest important transient λ = ${fmtC(l)} (${best.k}) falls to ${pct(o.convergenceTolerance)} ` +
    `of its size in about ${best.s.epochsToConverge} epochs.`
  );
}

function fastestGrowing(s: SpectrumSummary): { lambda: Complex; share: number } {
  let k0 = -1;
  for (let k = 0; k < s.eigenvalues.length; k++) {
    if (!s.important[k]) continue;
    if (k0 < 0 || cabs(s.eigenvalues[k]) > cabs(s.eigenvalues[k0])) k0 = k;
  }
  return { lambda: s.eigenvalues[k0], share: s.share[k0] };
}

function fmt(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}

function fmtC(l: Complex): string {
  if (Math.abs(l.im) < 5e-4) return l.re.toFixed(3);
  return `${l.re.toFixed(3)} ${l.im < 0 ? '−' : '+'} ${Math.abs(l.im).toFixed(3)}i`;
}

function pct(x: number): string {
  const p = 100 * x;
  return `${p === 0 || p >= 1 ? Number(p.toFixed(1)) : Number(p.toPrecision(1))}%`;
}

/** The restart verdict when the weights hold a non-finite value (training diverged). */
export function nonFiniteWeightsVerdict(epoch: number): Verdict {
  return {
    action: 'restart',
    rule: 'non-finite',
    reason: `the weights contain a non-finite value at epoch ${epoch}: training diverged; re-initialise the weights (a lower learning rate may help)`,
  };
}
