/**
 * The `best` run of one DE-solver job: from the plain run's initial weights, guarded repeated
 * jumps, stopped when its loss reaches the plain run's final loss; its runs.csv row is measured
 * against the plain run at its first accepted jump.
 */
import type * as tf from '@tensorflow/tfjs';
import { koopmanTraining } from '../../plugins/koopman-training/index.js';
import type { JumpRecord } from '../../plugins/koopman-training/report.js';
import { equivalentSteps, errorToGrowth } from '../../src/metrics/index.js';
import { readWeights } from '../../src/tfjs/index.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { trainSteps } from '../shared/train.js';
import { SOLVER_PARTITION } from '../shared/de-solver/config.js';
import { buildSolverNet, physicsLoss, physicsLossValue, solve, solverVariables } from '../shared/de-solver/network.js';
import { solverOptimizer } from '../shared/de-solver/optimizers.js';
import type { PlainRun, RowBase } from './plain-run.js';
import { learningRate } from '../shared/de-solver/problem.js';
import { maxAbsError, type RunDetail, type RunJob, type RunRow } from './results.js';

export interface BestRun {
  row: RunRow;
  /** Loss against effective steps (thinned) and every jump decision, for the plots. */
  bestStep: number[];
  bestLoss: number[];
  jumps: RunDetail['training']['jumps'];
  solution: { x: Float64Array; p: Float64Array };
}

type First = { jump: JumpRecord; wKO: Float32Array; costBefore: number };

/** Trains the `best` run of `job` (one {@link trainSteps} loop) and measures it against the plain run. */
export async function runBest(job: RunJob, plain: PlainRun, base: RowBase, tTrain: tf.Tensor2D, grid: number[], ref: { x: Float64Array; p: Float64Array }, onSteps: (n: number) => void): Promise<BestRun> {
  const { schedule: S, best: B } = job;
  const { losses, durations, wAt, stride } = plain;
  const bm = buildSolverNet(job.seed);
  const bopt = makeOptimizer(solverOptimizer(job.optimizer));
  try {
    const target = losses[S.steps];
    let first: First | null = null;
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
    const s = await trainSteps(bopt, () => physicsLoss(bm, tTrain), solverVariables(bm), {
      steps: S.steps,
      learningRate: (step) => learningRate(B.lrClock === 'effective' ? kt.effectiveStep : step - 1),
      onStep: async ({ step, loss }) => {
        lastLoss = loss;
        if (lastLoss <= target) {
          reached = true;
          return 'stop';
        }
        if (!first && step % stride === 0) lastBase = { step, w: readWeights(bm) };
        if (step % thinEvery === 0) {
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
              return 'stop';
            }
          }
        }
        if (step % 500 === 0) onSteps(500);
      },
    });
    const bestMs = performance.now() - t0;
    const bestCpu = process.cpuUsage(c0);
    const bestCpuUs = bestCpu.user + bestCpu.system;
    onSteps(Math.max(0, S.steps - 500 * Math.floor(s / 500)));
    const finalLoss = reached ? lastLoss : physicsLossValue(bm, tTrain);
    // The loss after the last of S.steps updates counts too: a run with no accepted jump is the plain run and ends exactly at its final loss.
    if (!reached && finalLoss <= target) reached = true;
    const solution = solve(bm, grid);
    const rep = kt.report;
    const accepted = rep.jumps.filter((j) => j.accepted);
    const f = first as First | null;
    const lb = lastBase as { step: number; w: Float32Array } | null;
    const js = f ? f.jump.step : NaN;
    const jh = f ? f.jump.horizon : 0;
    const inRange = f !== null && js + jh <= S.steps;
    const l = f ? losses.subarray(js) : new Float64Array([NaN]);
    const d = f ? durations.subarray(js) : new Float64Array(0);
    const eq = f ? equivalentSteps(l, f.jump.lossAfter, d) : { teq: 0, censored: false, time: 0 };
    const prefix = f !== null && lb !== null && lb.step === js && lb.w.every((v, i) => v === wAt(js)[i]);
    const row: RunRow = {
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
      end_to_end: reached ? plain.plainMs / bestMs : 0,
      end_to_end_cpu: reached ? plain.plainCpuUs / bestCpuUs : 0,
      end_to_end_steps: reached ? S.steps / s : 0,
      rk4_max_err: maxAbsError(solution, ref),
      identical_prefix: prefix,
    };
    return { row, bestStep, bestLoss, jumps: jumpLog, solution };
  } finally {
    bopt.dispose();
    bm.dispose();
  }
}
