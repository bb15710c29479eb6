/**
 * The spectrum study's measures over its runs: the outcome of each stopping method, restart
 * recall and false restarts, the goals, and bounds from the recorded losses. Pure functions.
 */
import { median } from '../../src/metrics/index.js';
import type { Fig2Numbers } from './fig2.js';
import type { LossPoint, RunSpec } from './record.js';
import type { ReplayOutcome } from './replay.js';

export type MethodName = 'spectrum' | 'early-stopping-3' | 'early-stopping-10' | 'full-budget';
export const METHODS: readonly MethodName[] = ['spectrum', 'early-stopping-3', 'early-stopping-10', 'full-budget'];
/** The columns of summary.csv, in order. */
export const SUMMARY_COLUMNS = ['method', 'runs', 'median_epochs', 'median_final_test_loss', 'restart_recall', 'false_restart_rate'] as const;

/** What the summary needs from one run. */
export interface RunResult {
  spec: RunSpec;
  bad: boolean;
  /** Epochs the run was trained for. */
  budget: number;
  points: LossPoint[];
  outcomes: Record<MethodName, ReplayOutcome>;
  /** Outcomes of the alternative monitor settings, by name. */
  alternatives: Record<string, ReplayOutcome>;
  fig2: Fig2Numbers[];
  /** ‖w_last − w_0‖ / ‖w_0‖ over the run. */
  weightDrift: number;
  /** ‖w_1 − w_0‖ / ‖w_last − w_0‖: the share of the run's displacement made in the first epoch. */
  firstEpochMove: number;
}

export interface MethodSummary {
  method: MethodName;
  /** Good-initialisation runs the stopping numbers are taken over. */
  runs: number;
  medianEpochs: number;
  medianFinalTestLoss: number;
  /** Restart columns: only the spectrum monitor restarts (null for the others). */
  restartRecall: number | null;
  falseRestartRate: number | null;
}

export interface RestartStats {
  /** Bad runs, and those the monitor told to restart within the first `fraction` of the budget. */
  positives: number;
  caught: number;
  /** Good runs, and those it told to restart within the same epochs. */
  negatives: number;
  falseRestarts: number;
  recall: number;
  falseRate: number;
  /** Restart decisions count when made at an epoch index below this. */
  cutoff: number;
}

/** The test loss of the weights a method ended with. */
export function finalTestLoss(r: RunResult, method: MethodName): number {
  return r.points[r.outcomes[method].epochsUsed].testLoss;
}

/** Restart recall and false-restart rate of the spectrum monitor within the first `fraction` of `budget` epochs. */
export function restartStats(
  results: RunResult[],
  budget: number,
  fraction: number,
  outcome: (r: RunResult) => ReplayOutcome = (r) => r.outcomes.spectrum,
): RestartStats {
  const cutoff = fraction * budget;
  const early = (r: RunResult) => {
    const o = outcome(r);
    return o.action === 'restart' && o.stopEpoch !== null && o.stopEpoch < cutoff;
  };
  const bad = results.filter((r) => r.bad);
  const good = results.filter((r) => !r.bad);
  const caught = bad.filter(early).length;
  const falseRestarts = good.filter(early).length;
  return {
    positives: bad.length,
    caught,
    negatives: good.length,
    falseRestarts,
    recall: bad.length ? caught / bad.length : NaN,
    falseRate: good.length ? falseRestarts / good.length : NaN,
    cutoff,
  };
}

/** One row per method: stopping numbers over the good runs, restart numbers (spectrum only) over all runs. */
export function summariseMethods(results: RunResult[], budget: number, restartFraction: number): MethodSummary[] {
  const good = results.filter((r) => !r.bad);
  const rs = restartStats(results, budget, restartFraction);
  return METHODS.map((method) => ({
    method,
    runs: good.length,
    medianEpochs: median(good.map((r) => r.outcomes[method].epochsUsed)),
    medianFinalTestLoss: median(good.map((r) => finalTestLoss(r, method))),
    restartRecall: method === 'spectrum' ? rs.recall : null,
    falseRestartRate: method === 'spectrum' ? rs.falseRate : null,
  }));
}

/** Rows of summary.csv (restart columns empty where they do not apply). */
export function summaryCsvRows(rows: MethodSummary[]): Record<string, unknown>[] {
  return rows.map((m) => ({
    method: m.method,
    runs: m.runs,
    median_epochs: m.medianEpochs,
    median_final_test_loss: m.medianFinalTestLoss,
    restart_recall: m.restartRecall ?? '',
    false_restart_rate: m.falseRestartRate ?? '',
  }));
}

export interface GoalCheck {
  /** Ratios of the medians (spectrum ÷ earlyStopping(10)), as summary.csv gives them. */
  epochRatio: number;
  lossRatio: number;
  /** Medians of the run-by-run ratios (each run compared with itself). */
  pairedEpochRatio: number;
  pairedLossRatio: number;
  stopMet: boolean;
  restartMet: boolean;
}

/**
 * The goals: ≥ 30% fewer epochs than earlyStopping(10) at ≤ 1% worse test loss, required
 * both of the medians and of the run-by-run ratios; restart recall ≥ 95% with ≤ 5% false restarts (issue 15).
 */
export function checkGoals(rows: MethodSummary[], results: RunResult[]): GoalCheck {
  const sm = rows.find((r) => r.method === 'spectrum')!;
  const es = rows.find((r) => r.method === 'early-stopping-10')!;
  const good = results.filter((r) => !r.bad);
  const epochRatio = sm.medianEpochs / es.medianEpochs;
  const lossRatio = sm.medianFinalTestLoss / es.medianFinalTestLoss;
  const pairedEpochRatio = median(good.map((r) => r.outcomes.spectrum.epochsUsed / r.outcomes['early-stopping-10'].epochsUsed));
  const pairedLossRatio = median(good.map((r) => finalTestLoss(r, 'spectrum') / finalTestLoss(r, 'early-stopping-10')));
  return {
    epochRatio,
    lossRatio,
    pairedEpochRatio,
    pairedLossRatio,
    stopMet: epochRatio <= 0.7 && lossRatio <= 1.01 && pairedEpochRatio <= 0.7 && pairedLossRatio <= 1.01,
    restartMet: (sm.restartRecall ?? 0) >= 0.95 && (sm.falseRestartRate ?? 1) <= 0.05,
  };
}

/** The first epoch's share of the total fall of the training loss over the run. */
export function firstLossDrop(r: RunResult): number {
  const p = r.points;
  const min = Math.min(...p.map((x) => x.trainLoss));
  return (p[0].trainLoss - p[1].trainLoss) / (p[0].trainLoss - min);
}

/**
 * Bounds of the stop goal from the runs' own test losses: the test-loss ratio of stopping at
 * ⌊0.7·E₁₀⌋ epochs, and the smallest epoch ratio e / E₁₀ with test loss ≤ 1.01 × the one at E₁₀
 * (E₁₀ = earlyStopping(10)'s epochs), as medians over the runs.
 */
export function stopOracle(good: RunResult[]): { lossAt70: number; earliestRatio: number; reachable: number } {
  const at70: number[] = [];
  const earliest: number[] = [];
  for (const r of good) {
    const e10 = r.outcomes['early-stopping-10'].epochsUsed;
    const ref = r.points[e10].testLoss;
    at70.push(r.points[Math.floor(0.7 * e10)].testLoss / ref);
    let e = e10;
    for (let t = 1; t <= e10; t++) {
      if (r.points[t].testLoss <= 1.01 * ref) {
        e = t;
        break;
      }
    }
    earliest.push(e10 > 0 ? e / e10 : 1);
  }
  return { lossAt70: median(at70), earliestRatio: median(earliest), reachable: earliest.filter((x) => x <= 0.7).length };
}
