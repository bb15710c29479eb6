import * as tf from '@tensorflow/tfjs';
import { koopmanTraining } from '../../plugins/koopman-training/index.js';
import type { JumpRecord } from '../../plugins/koopman-training/report.js';
import { equivalentSteps, errorToGrowth } from '../../src/metrics/index.js';
import { readWeights, writeWeights } from '../../src/tfjs/index.js';
import { PAPER_FIT, SOLVER_PARTITION, paperStride, type BestSettings, type Schedule } from './config.js';
import { buildSolverNet, physicsLoss, physicsLossValue, solve, solverVariables } from './network.js';
import { makeOptimizer, setLearningRate, type OptimizerName } from './optimizers.js';
import { PAPER_PROBLEM, learningRate, trainingTimes } from './problem.js';
import { rk4Oscillator } from './rk4.js';
import { scoreWindows, type TradeoffRow, type tradeoffSettings } from './tradeoff.js';

/** One unit of work: the plain run of a seed and optimizer, the paper jumps made on it, and the best run. */
export interface RunJob {
  optimizer: OptimizerName;
  seed: number;
  schedule: Schedule;
  best: BestSettings;
  /** Score these first-jump choices on the plain run (tradeoff.ts); none when omitted. */
  tradeoff?: ReturnType<typeof tradeoffSettings>;
}

/** Samples of the reference grid on which networks are compared with RK4. */
export const GRID_POINTS = 401;

/**
 * `paper`: the paper's recipe (every step of [t1, t2], full rank, one unchecked jump of T at t2);
 * `paper-stride`: the same recorded every k-th step ({@link paperStride}); `best`: guarded repeated jumps.
 */
export type RunConfig = 'paper' | 'paper-stride' | 'best';
export const RUN_CONFIGS: readonly RunConfig[] = ['paper', 'paper-stride', 'best'];

/** One row of runs.csv (one optimizer, config and seed). */
export interface RunRow {
  optimizer: OptimizerName;
  config: RunConfig;
  seed: number;
  steps: number;
  t1: number;
  t2: number;
  horizon: number;
  /** Step of the (first accepted) jump, and the steps it jumped. */
  jump_step: number;
  jump_horizon: number;
  loss_t2: number;
  loss_ko: number;
  /** Plain loss at jump_step + jump_horizon. */
  loss_plain_after: number;
  teq: number;
  teq_censored: boolean;
  teq_over_t: number;
  success: boolean;
  opt_ms_teq: number;
  /** Koopman time of the jump: recording, fitting, extrapolation, guard evaluations (ms). */
  ko_ms_record: number;
  ko_ms_fit: number;
  ko_ms_extrapolate: number;
  ko_ms_guard: number;
  /** record + fit + extrapolate + guard (for `best`: of every jump decision up to the first accepted one). */
  ko_ms_honest: number;
  speedup_paper: number;
  speedup_honest: number;
  error_to_growth: number;
  jumps_tried: number;
  jumps_accepted: number;
  steps_skipped: number;
  optimizer_steps: number;
  plain_final_loss: number;
  final_loss: number;
  reached_plain_final: boolean;
  plain_wall_s: number;
  wall_s: number;
  /** CPU time (user + system) of the same spans: insensitive to other processes sharing the cores. */
  plain_cpu_s: number;
  cpu_s: number;
  /** Plain wall time ÷ wall time of `best` to reach the plain final loss (> 1 is faster; 0 if never reached). */
  end_to_end: number;
  /** The same ratio in CPU time, and in optimizer steps (plain steps ÷ best optimizer steps). */
  end_to_end_cpu: number;
  end_to_end_steps: number;
  rk4_max_err: number;
  rk4_max_err_plain: number;
  plain_ms_per_step: number;
  identical_prefix: boolean;
  backend: string;
}

/** Plot material of one job, kept as JSON beside runs.csv so plots cover every session's runs. */
export interface RunDetail {
  optimizer: OptimizerName;
  seed: number;
  schedule: Schedule;
  /** Fig. 2b: plain and Koopman (paper recipe) loss at t2 + h. */
  curve: { h: number[]; plain: number[]; koopman: number[] };
  /** Fig. 2d: the most dynamic weights, plain and Koopman, at t2 + h (h as in curve). */
  weights: { index: number; t2: number; plain: number[]; koopman: number[] }[];
  /** Fig. 2e: per weight |w_KO − w(t2+T)| and |w(t2+T) − w(t2)| (paper recipe). */
  errors: { error: number[]; growth: number[] };
  /** Loss over the plain run and over the best run (against effective steps), thinned. */
  training: { plainStep: number[]; plainLoss: number[]; bestStep: number[]; bestLoss: number[]; jumps: { step: number; effective: number; horizon: number; accepted: boolean }[] };
  /** x̂, p̂ on the reference grid: plain at the end, paper-Koopman at t2 + T, best at its end. */
  solution: { t: number[]; plain: { x: number[]; p: number[] }; paper: { x: number[]; p: number[] }; best: { x: number[]; p: number[] } };
}

export interface RunResult {
  rows: RunRow[];
  detail: RunDetail;
  /** Accuracy against reach of Koopman jumps on the plain run (empty without job.tradeoff). */
  tradeoff: TradeoffRow[];
  /** Why the trade-off could not be scored, if it could not. */
  tradeoffError?: string;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest stride dividing every step at which the plain weights are needed. */
export function weightStride(s: Schedule, best: BestSettings, tradeoff?: RunJob['tradeoff']): number {
  const extra = tradeoff ? [tradeoff.stride, tradeoff.window / 2, ...tradeoff.ends, ...tradeoff.horizons] : [];
  return [s.t2, s.horizon, best.start, best.window, best.every, best.recordEvery, ...best.candidates, ...extra].reduce((a, b) => gcd(a, b), 0) || 1;
}

function maxAbsError(sol: { x: ArrayLike<number>; p: ArrayLike<number> }, ref: { x: ArrayLike<number>; p: ArrayLike<number> }): number {
  let e = 0;
  for (let i = 0; i < ref.x.length; i++) e = Math.max(e, Math.abs(sol.x[i] - ref.x[i]), Math.abs(sol.p[i] - ref.p[i]));
  return e;
}

function thin(n: number, points: number): number[] {
  const stride = Math.max(1, Math.floor(n / points));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

const round = (v: number) => Number(v.toPrecision(7));

/**
 * Runs one seed and optimizer: the plain run (paper recipe applied at t2 and undone, so the plain
 * trajectory goes on untouched), then the best run from the same initial weights.
 * `onSteps(n)` is called as optimizer steps complete (for a progress bar).
 */
export async function runJob(job: RunJob, backend: string, onSteps: (n: number) => void = () => undefined): Promise<RunResult> {
  const { schedule: S, best: B, optimizer, seed } = job;
  const tTrain = tf.tensor2d(trainingTimes(PAPER_PROBLEM), [PAPER_PROBLEM.points, 1]);
  const ref = rk4Oscillator(PAPER_PROBLEM, GRID_POINTS, 100);
  const grid = Array.from(ref.t);
  const stride = weightStride(S, B, job.tradeoff);
  const kPaper = paperStride(S);
  try {
    // ---------- plain run, with the paper's jump made and undone at t2 ----------
    const model = buildSolverNet(seed);
    const vars = solverVariables(model);
    const opt = makeOptimizer(optimizer);
    const nW = readWeights(model).length;
    const plainW = new Float32Array((Math.floor(S.steps / stride) + 1) * nW);
    const losses = new Float64Array(S.steps + 1);
    const durations = new Float64Array(S.steps);
    let plainCpuUs = 0;
    const paper = koopmanTraining({ partition: SOLVER_PARTITION, window: { start: S.t1, end: S.t2 }, horizon: S.horizon, ...PAPER_FIT });
    const paperK = koopmanTraining({ partition: SOLVER_PARTITION, window: { start: S.t1, end: S.t2 }, horizon: S.horizon, recordEvery: kPaper, ...PAPER_FIT });
    // Same fit as `paper`, guard used only to evaluate the loss at many horizons (Fig. 2b, 2d).
    const curveH: number[] = [];
    const dh = stride * Math.max(1, Math.ceil(S.horizon / stride / 50));
    for (let h = dh; h < S.horizon; h += dh) curveH.push(h);
    curveH.push(S.horizon);
    const curveW: Float32Array[] = [];
    const curve = koopmanTraining({
      partition: SOLVER_PARTITION,
      window: { start: S.t1, end: S.t2 },
      horizon: S.horizon,
      ...PAPER_FIT,
      guard: {
        candidates: curveH,
        lossFn: (m) => {
          curveW.push(readWeights(m));
          return physicsLossValue(m, tTrain);
        },
      },
    });
    await paper.attach(model);
    await paperK.attach(model);
    await curve.attach(model);
    let wT2: Float32Array | null = null;
    /** The network a paper jump at t2 produced (weights, loss, solution), read before the jump is undone. */
    type Jumped = { w: Float32Array; loss: number; solution: { x: Float64Array; p: Float64Array } };
    const jumped: { paper: Jumped | null; stride: Jumped | null } = { paper: null, stride: null };
    // Steps a paper plugin; at t2 it jumps: keep what it produced, then restore w(t2) bit-for-bit.
    const stepAndUndo = async (plugin: typeof paper, s: number, key: keyof typeof jumped) => {
      await plugin.afterStep({ loss: losses[s - 1] });
      if (s !== S.t2) return;
      jumped[key] = { w: readWeights(model), loss: physicsLossValue(model, tTrain), solution: solve(model, grid) };
      writeWeights(model, wT2!);
    };
    const store = (s: number) => plainW.set(readWeights(model), (s / stride) * nW);
    store(0);
    for (let s = 1; s <= S.steps; s++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      setLearningRate(opt, learningRate(s - 1));
      const l = opt.minimize(() => physicsLoss(model, tTrain), true, vars)!;
      losses[s - 1] = l.dataSync()[0];
      l.dispose();
      durations[s - 1] = performance.now() - t0;
      const c = process.cpuUsage(c0);
      plainCpuUs += c.user + c.system;
      if (s === S.t2) wT2 = readWeights(model);
      await stepAndUndo(paper, s, 'paper');
      await stepAndUndo(paperK, s, 'stride');
      await curve.afterStep({ loss: losses[s - 1] });
      if (s === S.t2) writeWeights(model, wT2!);
      if (s % stride === 0) store(s);
      if (s % 500 === 0) onSteps(500);
    }
    onSteps(S.steps % 500);
    losses[S.steps] = physicsLossValue(model, tTrain);
    const plainSolution = solve(model, grid);
    const plainMs = durations.reduce((a, b) => a + b, 0);
    const wAt = (s: number) => plainW.subarray((s / stride) * nW, (s / stride + 1) * nW);
    // Accuracy against reach on the plain trajectory (after its own measurements; this overwrites the plain net's weights).
    // A failed score (a fit the schedule cannot support) never costs the job its runs: it is reported instead.
    let tradeoff: TradeoffRow[] = [];
    let tradeoffError: string | undefined;
    if (job.tradeoff && job.tradeoff.ends.length) {
      try {
        tradeoff = scoreWindows({ stride, wAt, losses }, { optimizer, seed, ...job.tradeoff }, model, (w) => {
          writeWeights(model, w);
          return physicsLossValue(model, tTrain);
        });
      } catch (err) {
        tradeoffError = (err as Error).message;
      }
    }
    const paperJump = paper.report.jumps[0];
    const wKO = jumped.paper?.w ?? null;
    const paperSolution = jumped.paper?.solution ?? { x: new Float64Array(0), p: new Float64Array(0) };
    if (!paperJump || !wT2 || !wKO) throw new Error(`seed ${seed} ${optimizer}: the paper jump at t2 = ${S.t2} did not happen (${paper.report.notes.join('; ')})`);
    const identicalT2 = wT2.every((v, i) => v === wAt(S.t2)[i]);
    const afterT2 = (from: number) => ({ l: losses.subarray(from), d: durations.subarray(from) });

    const rows: RunRow[] = [];
    const base = {
      optimizer,
      seed,
      steps: S.steps,
      t1: S.t1,
      t2: S.t2,
      horizon: S.horizon,
      plain_final_loss: losses[S.steps],
      plain_wall_s: plainMs / 1000,
      plain_cpu_s: plainCpuUs / 1e6,
      rk4_max_err_plain: maxAbsError(plainSolution, ref),
      plain_ms_per_step: plainMs / S.steps,
      backend,
    };
    const paperRow = (config: RunConfig, jump: JumpRecord, w: Float32Array | null, lossJump: number, solution: { x: Float64Array; p: Float64Array } | null): RunRow => {
      const ok = jump.accepted && w !== null;
      const { l, d } = afterT2(S.t2);
      const eq = equivalentSteps(l, ok ? lossJump : NaN, d);
      const koMs = jump.recordMs + jump.fitMs + jump.extrapolateMs + jump.guardMs;
      return {
        ...base,
        config,
        jump_step: S.t2,
        jump_horizon: jump.horizon,
        loss_t2: l[0],
        loss_ko: ok ? lossJump : NaN,
        loss_plain_after: losses[S.t2 + S.horizon],
        teq: eq.teq,
        teq_censored: eq.censored,
        teq_over_t: eq.teq / S.horizon,
        success: eq.teq > 0,
        opt_ms_teq: eq.time,
        ko_ms_record: jump.recordMs,
        ko_ms_fit: jump.fitMs,
        ko_ms_extrapolate: jump.extrapolateMs,
        ko_ms_guard: jump.guardMs,
        ko_ms_honest: koMs,
        speedup_paper: eq.time / jump.extrapolateMs,
        speedup_honest: eq.time / koMs,
        error_to_growth: ok ? errorToGrowth(w, wAt(S.t2 + S.horizon), wT2!) : NaN,
        jumps_tried: 1,
        jumps_accepted: ok ? 1 : 0,
        steps_skipped: jump.horizon,
        optimizer_steps: S.t2,
        final_loss: lossJump,
        reached_plain_final: lossJump <= losses[S.steps],
        wall_s: NaN,
        cpu_s: NaN,
        end_to_end: NaN,
        end_to_end_cpu: NaN,
        end_to_end_steps: NaN,
        rk4_max_err: solution ? maxAbsError(solution, ref) : NaN,
        identical_prefix: identicalT2,
      };
    };
    rows.push(paperRow('paper', paperJump, wKO, jumped.paper!.loss, paperSolution));
    const paperKJump = paperK.report.jumps[0];
    if (!paperKJump) throw new Error(`seed ${seed} ${optimizer}: the paper-stride jump at t2 = ${S.t2} did not happen (${paperK.report.notes.join('; ')})`);
    rows.push(paperRow('paper-stride', paperKJump, jumped.stride?.w ?? null, jumped.stride?.loss ?? NaN, jumped.stride?.solution ?? null));

    // ---------- best run: same initial weights, guarded repeated jumps, stop at the plain final loss ----------
    opt.dispose();
    model.dispose();
    const bm = buildSolverNet(seed);
    const bvars = solverVariables(bm);
    const bopt = makeOptimizer(optimizer);
    const target = losses[S.steps];
    let first: { jump: JumpRecord; wKO: Float32Array; costBefore: number } | null = null;
    let lastBase: { step: number; w: Float32Array } | null = null;
    let costSoFar = 0;
    const jumpLog: RunDetail['training']['jumps'] = [];
    const kt = koopmanTraining({
      partition: SOLVER_PARTITION,
      window: { start: B.start, end: B.start + B.window },
      horizon: Math.max(...B.candidates),
      every: B.every,
      recordEvery: B.recordEvery,
      optimizerState: B.optimizerState,
      ...B.fit,
      guard: { lossFn: (m) => physicsLossValue(m, tTrain), candidates: B.candidates, ...(B.agreement !== undefined ? { agreement: B.agreement } : {}) },
      onJump: (j) => {
        costSoFar += j.recordMs + j.fitMs + j.extrapolateMs + j.guardMs;
        jumpLog.push({ step: j.step, effective: kt.effectiveStep, horizon: j.horizon, accepted: j.accepted });
        if (!first && j.accepted) first = { jump: j, wKO: readWeights(bm), costBefore: costSoFar };
      },
    });
    await kt.attach(bm);
    const bestStep: number[] = [0];
    const bestLoss: number[] = [losses[0]];
    const thinEvery = Math.max(1, Math.floor(S.steps / 600));
    let reached = false;
    let lastLoss = NaN;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let s = 0;
    while (s < S.steps) {
      s++;
      setLearningRate(bopt, learningRate(B.lrClock === 'effective' ? kt.effectiveStep : s - 1));
      const l = bopt.minimize(() => physicsLoss(bm, tTrain), true, bvars)!;
      lastLoss = l.dataSync()[0];
      l.dispose();
      if (lastLoss <= target) {
        reached = true;
        break;
      }
      if (!first && s % stride === 0) lastBase = { step: s, w: readWeights(bm) };
      if (s % thinEvery === 0) {
        // lastLoss is the loss before this step: effective step − 1.
        bestStep.push(kt.effectiveStep - 1);
        bestLoss.push(lastLoss);
      }
      const before = kt.report.jumps.length;
      await kt.afterStep({ loss: lastLoss });
      if (kt.report.jumps.length > before) {
        const j = kt.report.jumps[kt.report.jumps.length - 1];
        if (j.accepted) {
          bestStep.push(kt.effectiveStep);
          bestLoss.push(j.lossAfter);
          lastLoss = j.lossAfter;
          if (j.lossAfter <= target) {
            reached = true;
            break;
          }
        }
      }
      if (s % 500 === 0) onSteps(500);
    }
    const bestMs = performance.now() - t0;
    const bestCpu = process.cpuUsage(c0);
    const bestCpuUs = bestCpu.user + bestCpu.system;
    onSteps(Math.max(0, S.steps - 500 * Math.floor(s / 500)));
    const finalLoss = reached ? lastLoss : physicsLossValue(bm, tTrain);
    // The loss after the last of S.steps updates counts too: a run with no accepted jump is the plain run and ends exactly at its final loss.
    if (!reached && finalLoss <= target) reached = true;
    const bestSolution = solve(bm, grid);
    const rep = kt.report;
    const accepted = rep.jumps.filter((j) => j.accepted);
    {
      const f = first as { jump: JumpRecord; wKO: Float32Array; costBefore: number } | null;
      const js = f ? f.jump.step : NaN;
      const jh = f ? f.jump.horizon : 0;
      const inRange = f !== null && js + jh <= S.steps;
      const { l, d } = f ? afterT2(js) : { l: new Float64Array([NaN]), d: new Float64Array(0) };
      const eq = f ? equivalentSteps(l, f.jump.lossAfter, d) : { teq: 0, censored: false, time: 0 };
      const prefix = f !== null && lastBase !== null && lastBase.step === js && lastBase.w.every((v, i) => v === wAt(js)[i]);
      rows.push({
        ...base,
        config: 'best',
        jump_step: js,
        jump_horizon: jh,
        loss_t2: f ? f.jump.lossBefore : NaN,
        loss_ko: f ? f.jump.lossAfter : NaN,
        loss_plain_after: inRange ? losses[js + jh] : NaN,
        teq: eq.teq,
        teq_censored: eq.censored,
        teq_over_t: f ? eq.teq / jh : 0,
        success: eq.teq > 0,
        opt_ms_teq: eq.time,
        ko_ms_record: f ? f.jump.recordMs : NaN,
        ko_ms_fit: f ? f.jump.fitMs : NaN,
        ko_ms_extrapolate: f ? f.jump.extrapolateMs : NaN,
        ko_ms_guard: f ? f.jump.guardMs : NaN,
        ko_ms_honest: f ? f.costBefore : NaN,
        speedup_paper: f ? eq.time / f.jump.extrapolateMs : 0,
        speedup_honest: f ? eq.time / f.costBefore : 0,
        error_to_growth: inRange ? errorToGrowth(f!.wKO, wAt(js + jh), wAt(js)) : NaN,
        jumps_tried: rep.jumps.length,
        jumps_accepted: accepted.length,
        steps_skipped: rep.skippedSteps,
        optimizer_steps: s,
        final_loss: finalLoss,
        reached_plain_final: reached,
        wall_s: bestMs / 1000,
        cpu_s: bestCpuUs / 1e6,
        // Never reaching the plain final loss counts as no speed-up at all (0), not as a gap.
        end_to_end: reached ? plainMs / bestMs : 0,
        end_to_end_cpu: reached ? plainCpuUs / bestCpuUs : 0,
        end_to_end_steps: reached ? S.steps / s : 0,
        rk4_max_err: maxAbsError(bestSolution, ref),
        identical_prefix: prefix,
      });
    }

    // ---------- plot material ----------
    const curveRes = curve.report.jumps[0]?.candidates ?? [];
    // The guard calls lossFn for the loss at t2, then once per candidate with a finite prediction.
    const aligned = curveW.length === curveRes.length + 1;
    const koW = aligned ? curveW.slice(1) : curveRes.map(() => new Float32Array(nW).fill(NaN));
    const growth = Array.from(wAt(S.t2 + S.horizon), (v, i) => Math.abs(v - wT2![i]));
    const dynamic = growth
      .map((g, i) => [g, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 4)
      .map(([, i]) => i);
    const tl = thin(S.steps + 1, 600);
    const detail: RunDetail = {
      optimizer,
      seed,
      schedule: S,
      curve: {
        h: curveRes.map((c) => c.horizon),
        plain: curveRes.map((c) => round(losses[S.t2 + c.horizon])),
        koopman: curveRes.map((c) => round(c.loss)),
      },
      weights: dynamic.map((i) => ({
        index: i,
        t2: wT2![i],
        plain: curveRes.map((c) => round(wAt(S.t2 + c.horizon)[i])),
        koopman: koW.map((w) => round(w[i])),
      })),
      errors: { error: Array.from(wKO, (v, i) => round(Math.abs(v - wAt(S.t2 + S.horizon)[i]))), growth: growth.map(round) },
      training: {
        plainStep: tl,
        plainLoss: tl.map((i) => round(losses[i])),
        bestStep,
        bestLoss: bestLoss.map(round),
        jumps: jumpLog,
      },
      solution: {
        t: grid.map(round),
        plain: { x: Array.from(plainSolution.x, round), p: Array.from(plainSolution.p, round) },
        paper: { x: Array.from(paperSolution.x, round), p: Array.from(paperSolution.p, round) },
        best: { x: Array.from(bestSolution.x, round), p: Array.from(bestSolution.p, round) },
      },
    };
    bopt.dispose();
    bm.dispose();
    return { rows, detail, tradeoff, ...(tradeoffError ? { tradeoffError } : {}) };
  } finally {
    tTrain.dispose();
  }
}
