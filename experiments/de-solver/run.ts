/**
 * One job of the DE solver: the plain run of a seed and optimizer (with the paper's jumps made and
 * undone at t2), the trade-off scored on its trajectory, the best run, and the plot material.
 */
import * as tf from '@tensorflow/tfjs';
import { writeWeights } from '../../src/tfjs/index.js';
import { runBest, type BestRun } from './best-run.js';
import { physicsLossValue } from '../shared/de-solver/network.js';
import { paperRows, rowBase, runPlain, type PlainRun } from './plain-run.js';
import { PAPER_PROBLEM, trainingTimes } from '../shared/de-solver/problem.js';
import { GRID_POINTS, round, thin, type RunDetail, type RunJob, type RunResult } from './results.js';
import { rk4Oscillator } from './rk4.js';
import { scoreWindows, type TradeoffRow } from './tradeoff-score.js';

/**
 * Runs one seed and optimizer: the plain run (paper recipe applied at t2 and undone, so the plain
 * trajectory goes on untouched), then the best run from the same initial weights.
 * `onSteps(n)` is called as optimizer steps complete (for a progress bar).
 */
export async function runJob(job: RunJob, backend: string, onSteps: (n: number) => void = () => undefined): Promise<RunResult> {
  const { optimizer, seed } = job;
  const tTrain = tf.tensor2d(trainingTimes(PAPER_PROBLEM), [PAPER_PROBLEM.points, 1]);
  const ref = rk4Oscillator(PAPER_PROBLEM, GRID_POINTS, 100);
  const grid = Array.from(ref.t);
  try {
    const plain = await runPlain(job, tTrain, grid, onSteps);
    const { model, losses, stride, wAt } = plain;
    let tradeoff: TradeoffRow[] = [];
    let tradeoffError: string | undefined;
    try {
      // Accuracy against reach on the plain trajectory (after its own measurements; this overwrites the plain net's weights).
      // A failed score (a fit the schedule cannot support) never costs the job its runs: it is reported instead.
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
    } finally {
      model.dispose();
    }
    const base = rowBase(job, plain, ref, backend);
    const rows = paperRows(job, plain, base, ref);
    const best = await runBest(job, plain, base, tTrain, grid, ref, onSteps);
    rows.push(best.row);
    return { rows, detail: runDetail(job, plain, best, grid), tradeoff, ...(tradeoffError ? { tradeoffError } : {}) };
  } finally {
    tTrain.dispose();
  }
}

/** Plot material of one job: Fig. 2b/2d curves, Fig. 2e errors, training curves and solutions. */
function runDetail(job: RunJob, plain: PlainRun, best: BestRun, grid: number[]): RunDetail {
  const { schedule: S, optimizer, seed } = job;
  const { losses, wAt, nW } = plain;
  const wT2 = plain.wT2!;
  const wKO = plain.jumped.paper!.w;
  const paperSolution = plain.jumped.paper!.solution;
  const curveRes = plain.curve.report.jumps[0]?.candidates ?? [];
  // The guard calls lossFn for the loss at t2, then once per candidate with a finite prediction.
  const aligned = plain.curveW.length === curveRes.length + 1;
  const koW = aligned ? plain.curveW.slice(1) : curveRes.map(() => new Float32Array(nW).fill(NaN));
  const growth = Array.from(wAt(S.t2 + S.horizon), (v, i) => Math.abs(v - wT2[i]));
  const dynamic = growth
    .map((g, i) => [g, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 4)
    .map(([, i]) => i);
  const tl = thin(S.steps + 1, 600);
  return {
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
      t2: wT2[i],
      plain: curveRes.map((c) => round(wAt(S.t2 + c.horizon)[i])),
      koopman: koW.map((w) => round(w[i])),
    })),
    errors: { error: Array.from(wKO, (v, i) => round(Math.abs(v - wAt(S.t2 + S.horizon)[i]))), growth: growth.map(round) },
    training: {
      plainStep: tl,
      plainLoss: tl.map((i) => round(losses[i])),
      bestStep: best.bestStep,
      bestLoss: best.bestLoss.map(round),
      jumps: best.jumps,
    },
    solution: {
      t: grid.map(round),
      plain: { x: Array.from(plain.solution.x, round), p: Array.from(plain.solution.p, round) },
      paper: { x: Array.from(paperSolution.x, round), p: Array.from(paperSolution.p, round) },
      best: { x: Array.from(best.solution.x, round), p: Array.from(best.solution.p, round) },
    },
  };
}
