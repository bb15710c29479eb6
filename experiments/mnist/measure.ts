/**
 * The MNIST experiment's measures: runs.csv rows (T_eq on the test and training losses, speed-ups,
 * error-to-growth, end-to-end) of a plugin run against the plain run of its seed, and summary.csv.
 */
import { equivalentSteps, errorToGrowth, median } from '../../src/metrics/teq.js';
import type { RunResult } from '../shared/mnist/run.js';
import type { MnistSettings } from '../shared/mnist/settings.js';

export type ConfigName = 'paper' | 'best';

export interface RunRow {
  seed: number;
  config: ConfigName;
  accepted_jumps: number;
  jumps: number;
  first_jump_step: number;
  first_jump_horizon_steps: number;
  first_jump_reason: string;
  loss_t2: number;
  ko_test_loss: number;
  /** T_eq on the test loss, in optimizer steps; ÷ the first jump's horizon. */
  teq_steps: number;
  teq_over_t: number;
  censored: boolean;
  success: boolean;
  speedup_paper: number;
  speedup_honest: number;
  /** The same on the training loss (fixed training subset). */
  train_loss_t2: number;
  ko_train_loss: number;
  teq_train_steps: number;
  teq_train_over_t: number;
  censored_train: boolean;
  success_train: boolean;
  speedup_honest_train: number;
  error_to_growth: number;
  test_acc_after_jump: number;
  final_test_loss: number;
  final_test_acc: number;
  plain_final_test_loss: number;
  plain_final_test_acc: number;
  end_to_end: number;
  wall_s: number;
  plain_wall_s: number;
  record_ms: number;
  fit_ms: number;
  extrapolate_ms: number;
  guard_ms: number;
  skipped_steps: number;
  /** Test loss before training and after each epoch, space-separated (the plugin run). */
  test_loss_by_epoch: string;
  /** Cumulative training wall time (s) at each epoch end, space-separated. */
  wall_s_by_epoch: string;
  plain_test_loss_by_epoch: string;
  plain_wall_s_by_epoch: string;
}

/** Flat indices of the weights traced for the Fig. 3b plot: two first-layer kernel weights and one of layer 2. */
export const TRACED_WEIGHTS = [400 * 20 + 0, 350 * 20 + 3, 15700 + 5 * 20 + 2];
/** Names of {@link TRACED_WEIGHTS} in the plot legend. */
export const TRACED_NAMES = ['dense1 w[400,0]', 'dense1 w[350,3]', 'dense2 w[5,2]'];

export const SUMMARY_COLUMNS = [
  'config',
  'runs',
  'success_rate',
  'median_teq_over_t',
  'median_speedup_paper',
  'median_speedup_honest',
  'median_end_to_end',
  'final_test_acc_plain',
  'final_test_acc_plugin',
] as const;

/**
 * Wall time at which a run's per-epoch test loss first reaches `target`, interpolated linearly
 * within the epoch; NaN when it never does.
 */
export function timeToLoss(testLoss: number[], wallMs: number[], target: number): number {
  for (let e = 1; e < testLoss.length; e++) {
    if (testLoss[e] <= target) {
      const a = testLoss[e - 1];
      const b = testLoss[e];
      const f = a === b ? 1 : Math.min(1, Math.max(0, (a - target) / (a - b)));
      return wallMs[e - 1] + f * (wallMs[e] - wallMs[e - 1]);
    }
  }
  return NaN;
}

/**
 * Optimizer steps after t2 (in plain runs) at which the test and training losses are evaluated
 * besides the epoch ends: 4, 8, 16, … and every ⌊stepsPerEpoch / 8⌋ up to t2 + T, so T_eq of a
 * jump of a few dozen steps is not read off a straight line through two epoch ends.
 */
export function fineGrid(s: Pick<MnistSettings, 't2' | 'horizon' | 'stepsPerEpoch'>): number[] {
  const t2 = s.t2 * s.stepsPerEpoch;
  const T = s.horizon * s.stepsPerEpoch;
  const out = new Set<number>([t2 + T]);
  for (let h = 4; h < T; h *= 2) out.add(t2 + h);
  const d = Math.max(1, Math.floor(s.stepsPerEpoch / 8));
  for (let h = d; h < T; h += d) out.add(t2 + h);
  return [...out].sort((a, b) => a - b);
}

/**
 * The plain run's losses from t2 on, as (steps after t2, loss): the loss at t2, the fine grid up to
 * t2 + T, then the later epoch ends.
 */
export function plainSeries(plain: RunResult, s: MnistSettings, which: 'testLoss' | 'trainLoss'): { steps: number[]; loss: number[] } {
  const t2 = s.t2 * s.stepsPerEpoch;
  const end = (s.t2 + s.horizon) * s.stepsPerEpoch;
  const steps = [0];
  const loss = [plain[which][s.t2]];
  for (const p of plain.fine) {
    if (p.step > t2 && p.step <= end) {
      steps.push(p.step - t2);
      loss.push(p[which]);
    }
  }
  for (let e = s.t2 + s.horizon + 1; e < plain[which].length; e++) {
    steps.push(e * s.stepsPerEpoch - t2);
    loss.push(plain[which][e]);
  }
  return { steps, loss };
}

/**
 * T_eq (S4 eq. 12–13) on a non-uniform series: the "durations" are the step gaps, so the
 * equivalent "time" is T_eq in optimizer steps.
 */
export function teqSteps(series: { steps: number[]; loss: number[] }, lossKO: number): { steps: number; censored: boolean } {
  const gaps = series.steps.slice(1).map((v, i) => v - series.steps[i]);
  const r = equivalentSteps(series.loss, lossKO, gaps);
  return { steps: r.teq === 0 ? 0 : r.time, censored: r.censored };
}

/** Metrics of one plugin run against the plain run of the same seed. */
export function measure(seed: number, config: ConfigName, s: MnistSettings, plain: RunResult, run: RunResult): RunRow {
  const rep = run.report!;
  const first = rep.jumps[0];
  const firstAccepted = rep.jumps.find((j) => j.accepted);
  const koLoss = run.afterJump[0]?.testLoss ?? NaN;
  const koTrain = run.afterJump[0]?.trainLoss ?? NaN;
  // T_eq of the first jump (made at t2 in both configs), on the test and on the training loss.
  const jumpAtT2 = first && first.step === s.t2 * s.stepsPerEpoch && firstAccepted === first;
  const h = jumpAtT2 ? first.horizon : NaN;
  // Plain optimizer time per step after t2 (evaluations excluded).
  const msPerStep = plain.epochMs.slice(s.t2).reduce((a, b) => a + b, 0) / ((s.epochs - s.t2) * s.stepsPerEpoch);
  const kTime = first ? first.recordMs + first.fitMs + first.extrapolateMs + first.guardMs : NaN;
  // The first jump's T_eq (steps and ÷ h), whether it is censored or a success, and its honest speedup, on one loss.
  const firstJump = (which: 'testLoss' | 'trainLoss', lossKO: number) => {
    const t = jumpAtT2 ? teqSteps(plainSeries(plain, s, which), lossKO) : { steps: 0, censored: false };
    return { steps: t.steps, overT: jumpAtT2 ? t.steps / h : 0, censored: t.censored, success: t.steps > 0, honest: (t.steps * msPerStep) / kTime };
  };
  const teq = firstJump('testLoss', koLoss);
  const teqTrain = firstJump('trainLoss', koTrain);
  const plainFinal = plain.testLoss[plain.testLoss.length - 1];
  // End-to-end: the plain run's best test loss (it can rise again when the model over-fits), the
  // plain wall time to reach it, and the plugin run's wall time to reach the same loss.
  const plainBest = Math.min(...plain.testLoss.slice(1));
  const plainWall = timeToLoss(plain.testLoss, plain.wallMs, plainBest);
  const reach = timeToLoss(run.testLoss, run.wallMs, plainBest);
  const T = s.horizon * s.stepsPerEpoch;
  const wT2 = plain.weights.get(s.t2);
  const wT = plain.weights.get(s.t2 + s.horizon);
  const e2g =
    run.firstJumpWeights && wT2 && wT && firstAccepted?.horizon === T ? errorToGrowth(run.firstJumpWeights, wT, wT2) : NaN;
  const sum = (f: (j: (typeof rep.jumps)[number]) => number) => rep.jumps.reduce((a, j) => a + f(j), 0);
  return {
    seed,
    config,
    accepted_jumps: rep.jumps.filter((j) => j.accepted).length,
    jumps: rep.jumps.length,
    first_jump_step: first?.step ?? NaN,
    first_jump_horizon_steps: first?.horizon ?? 0,
    first_jump_reason: first?.reason ?? 'no jump',
    loss_t2: plain.testLoss[s.t2],
    ko_test_loss: koLoss,
    teq_steps: teq.steps,
    teq_over_t: teq.overT,
    censored: teq.censored,
    success: teq.success,
    speedup_paper: first && first.extrapolateMs > 0 ? (teq.steps * msPerStep) / first.extrapolateMs : NaN,
    speedup_honest: teq.honest,
    train_loss_t2: plain.trainLoss[s.t2],
    ko_train_loss: koTrain,
    teq_train_steps: teqTrain.steps,
    teq_train_over_t: teqTrain.overT,
    censored_train: teqTrain.censored,
    success_train: teqTrain.success,
    speedup_honest_train: teqTrain.honest,
    error_to_growth: e2g,
    test_acc_after_jump: run.afterJump[0]?.testAcc ?? NaN,
    final_test_loss: run.testLoss[run.testLoss.length - 1],
    final_test_acc: run.testAcc[run.testAcc.length - 1],
    plain_final_test_loss: plainFinal,
    plain_final_test_acc: plain.testAcc[plain.testAcc.length - 1],
    end_to_end: plainWall / reach,
    wall_s: run.wallMs[run.wallMs.length - 1] / 1000,
    plain_wall_s: plain.wallMs[plain.wallMs.length - 1] / 1000,
    record_ms: sum((j) => j.recordMs),
    fit_ms: sum((j) => j.fitMs),
    extrapolate_ms: sum((j) => j.extrapolateMs),
    guard_ms: sum((j) => j.guardMs),
    skipped_steps: rep.skippedSteps,
    test_loss_by_epoch: run.testLoss.map((v) => v.toPrecision(6)).join(' '),
    wall_s_by_epoch: run.wallMs.map((v) => (v / 1000).toFixed(3)).join(' '),
    plain_test_loss_by_epoch: plain.testLoss.map((v) => v.toPrecision(6)).join(' '),
    plain_wall_s_by_epoch: plain.wallMs.map((v) => (v / 1000).toFixed(3)).join(' '),
  };
}

/** summary.csv rows: medians per configuration. */
export function summariseMnistConfigs(rows: RunRow[]): Record<(typeof SUMMARY_COLUMNS)[number], string | number>[] {
  return (['paper', 'best'] as const).map((config) => {
    const r = rows.filter((x) => x.config === config);
    const med = (f: (x: RunRow) => number) => median(r.map(f).filter((v) => !Number.isNaN(v)));
    return {
      config,
      runs: r.length,
      success_rate: r.length ? r.filter((x) => x.success).length / r.length : NaN,
      median_teq_over_t: med((x) => x.teq_over_t),
      median_speedup_paper: med((x) => x.speedup_paper),
      median_speedup_honest: med((x) => x.speedup_honest),
      median_end_to_end: med((x) => (Number.isNaN(x.end_to_end) ? 0 : x.end_to_end)),
      final_test_acc_plain: med((x) => x.plain_final_test_acc),
      final_test_acc_plugin: med((x) => x.final_test_acc),
    };
  });
}

/** A summary.csv row. */
export type MnistSummary = ReturnType<typeof summariseMnistConfigs>[number];
