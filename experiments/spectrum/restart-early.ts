import type { ReplayOutcome } from './replay.js';
import { median } from '../../src/metrics/index.js';

/**
 * Lightning-style divergence rule for restarts (pure): from epoch `fromEpoch` on, the first epoch
 * whose monitored value is not finite (Lightning's `check_finite`) or worse than `threshold`
 * (`divergence_threshold`) is a restart. Cost O(n).
 */
export function replayDivergence(values: number[], threshold: number, fromEpoch: number): ReplayOutcome {
  for (let e = Math.max(0, fromEpoch); e < values.length; e++) {
    const v = values[e];
    if (!Number.isFinite(v) || v > threshold) {
      return {
        epochsUsed: e + 1,
        stopEpoch: e,
        action: 'restart',
        rule: Number.isFinite(v) ? 'divergence-threshold' : 'non-finite',
        reason: `monitored value ${v} at epoch ${e} is ${Number.isFinite(v) ? `above divergence threshold ${threshold}` : 'not finite'}`,
      };
    }
  }
  return { epochsUsed: values.length, stopEpoch: null, action: 'none', rule: 'budget', reason: 'never above the threshold' };
}

/** A Lightning-style restart rule of the comparison. */
export interface DivergenceRule {
  name: string;
  threshold: number;
  fromEpoch: number;
}

/**
 * The Lightning-style rules replayed beside the monitor: the monitor's `target` and chance level
 * (ln 10) as divergence thresholds, checked from the epoch the monitor has seen `minEpochs`
 * epochs (index minEpochs − 1, the first at which its spectral restart rules may fire), and chance
 * level from epoch 0 (Lightning's default start).
 */
export function divergenceRules(target: number, minEpochs: number): DivergenceRule[] {
  const chance = Math.log(10);
  return [
    { name: `lightning-divergence-${target}`, threshold: target, fromEpoch: Math.max(0, minEpochs - 1) },
    { name: 'lightning-divergence-ln10', threshold: chance, fromEpoch: Math.max(0, minEpochs - 1) },
    { name: 'lightning-divergence-ln10-from-0', threshold: chance, fromEpoch: 0 },
  ];
}

/** One run as the restart table needs it. */
export interface RestartRun {
  init: string;
  bad: boolean;
  outcome: ReplayOutcome;
}

export interface RestartRow {
  method: string;
  /** Bad runs restarted at an epoch below `cutoff`, of all bad runs; per bad initialisation too. */
  caught: number;
  positives: number;
  byInit: Record<string, { caught: number; runs: number }>;
  /** Good runs restarted at an epoch below `cutoff`, of all good runs. */
  falseRestarts: number;
  negatives: number;
  recall: number;
  falseRate: number;
  /** Median epoch of the restart decisions on bad runs (any epoch) ÷ the budget; NaN without any. */
  decidedShare: number;
}

/** Restart recall, false restarts and decision time of one method within epochs < `cutoff`. Cost O(runs). */
export function restartRow(method: string, runs: RestartRun[], cutoff: number, budget: number): RestartRow {
  const early = (o: ReplayOutcome) => o.action === 'restart' && o.stopEpoch !== null && o.stopEpoch < cutoff;
  const bad = runs.filter((r) => r.bad);
  const good = runs.filter((r) => !r.bad);
  const byInit: RestartRow['byInit'] = {};
  for (const r of bad) {
    const b = (byInit[r.init] ??= { caught: 0, runs: 0 });
    b.runs++;
    if (early(r.outcome)) b.caught++;
  }
  const caught = bad.filter((r) => early(r.outcome)).length;
  const falseRestarts = good.filter((r) => early(r.outcome)).length;
  const epochs = bad.filter((r) => r.outcome.action === 'restart' && r.outcome.stopEpoch !== null).map((r) => r.outcome.stopEpoch!);
  return {
    method,
    caught,
    positives: bad.length,
    byInit,
    falseRestarts,
    negatives: good.length,
    recall: bad.length ? caught / bad.length : NaN,
    falseRate: good.length ? falseRestarts / good.length : NaN,
    decidedShare: epochs.length ? median(epochs) / budget : NaN,
  };
}
