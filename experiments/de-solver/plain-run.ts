/**
 * The plain run of one DE-solver job, with the paper's recipe applied inside it: at t2 the
 * `paper` and `paper-stride` plugins jump, what they produced is kept, and w(t2) is restored
 * bit-for-bit, so the plain trajectory goes on untouched. Also builds their runs.csv rows.
 */
import type * as tf from '@tensorflow/tfjs';
import { koopmanTraining, type KoopmanTraining } from '../../plugins/koopman-training/index.js';
import type { JumpRecord } from '../../plugins/koopman-training/report.js';
import { equivalentSteps, errorToGrowth } from '../../src/metrics/index.js';
import { readWeights, writeWeights } from '../../src/tfjs/index.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { trainSteps } from '../shared/train.js';
import { PAPER_FIT, SOLVER_PARTITION, paperStride } from '../shared/de-solver/config.js';
import { buildSolverNet, physicsLoss, physicsLossValue, solve, solverVariables } from '../shared/de-solver/network.js';
import { solverOptimizer } from '../shared/de-solver/optimizers.js';
import { learningRate } from '../shared/de-solver/problem.js';
import { maxAbsError, weightStride, type RunConfig, type RunJob, type RunRow } from './results.js';

/** The network a paper jump at t2 produced (weights, loss, solution), read before the jump is undone. */
export type Jumped = { w: Float32Array; loss: number; solution: { x: Float64Array; p: Float64Array } };

/** Solution on the reference grid. */
type Solution = { x: Float64Array; p: Float64Array };

export interface PlainRun {
  /** The plain network after every step (the caller disposes it; the trade-off overwrites its weights). */
  model: tf.Sequential;
  /** Steps between the stored weight vectors ({@link weightStride}). */
  stride: number;
  nW: number;
  /** losses[s]: loss of the weights after s steps (s = 0 … steps). */
  losses: Float64Array;
  /** durations[s]: wall time of update s + 1, ms. */
  durations: Float64Array;
  plainMs: number;
  plainCpuUs: number;
  /** Stored plain weights after s steps, s a multiple of `stride`. */
  wAt: (s: number) => Float32Array;
  /** Weights at t2 (null only if the loop never reached t2). */
  wT2: Float32Array | null;
  solution: Solution;
  /** The paper plugins (every step; every `paperStride`-th step) and the curve plugin (guard at many horizons, Fig. 2b/2d). */
  paper: KoopmanTraining;
  paperK: KoopmanTraining;
  curve: KoopmanTraining;
  /** Horizons of the curve plugin and the weights its guard evaluated (the loss at t2 first). */
  curveH: number[];
  curveW: Float32Array[];
  jumped: { paper: Jumped | null; stride: Jumped | null };
}

/**
 * Trains the plain run of `job` for all its steps (one {@link trainSteps} loop), stepping the
 * paper, paper-stride and curve plugins and undoing their jumps at t2. `onSteps(n)` ticks progress.
 */
export async function runPlain(job: RunJob, tTrain: tf.Tensor2D, grid: number[], onSteps: (n: number) => void): Promise<PlainRun> {
  const { schedule: S, best: B } = job;
  const stride = weightStride(S, B, job.tradeoff);
  const kPaper = paperStride(S);
  const model = buildSolverNet(job.seed);
  const opt = makeOptimizer(solverOptimizer(job.optimizer));
  try {
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
    const jumped: PlainRun['jumped'] = { paper: null, stride: null };
    // Steps a paper plugin; at t2 it jumps: keep what it produced, then restore w(t2) bit-for-bit.
    const stepAndUndo = async (plugin: KoopmanTraining, s: number, key: keyof typeof jumped) => {
      await plugin.afterStep({ loss: losses[s - 1] });
      if (s !== S.t2) return;
      jumped[key] = { w: readWeights(model), loss: physicsLossValue(model, tTrain), solution: solve(model, grid) };
      writeWeights(model, wT2!);
    };
    const store = (s: number) => plainW.set(readWeights(model), (s / stride) * nW);
    store(0);
    await trainSteps(opt, () => physicsLoss(model, tTrain), solverVariables(model), {
      steps: S.steps,
      learningRate: (s) => learningRate(s - 1),
      onStep: async ({ step: s, loss, ms, cpuUs }) => {
        losses[s - 1] = loss;
        durations[s - 1] = ms;
        plainCpuUs += cpuUs;
        if (s === S.t2) wT2 = readWeights(model);
        await stepAndUndo(paper, s, 'paper');
        await stepAndUndo(paperK, s, 'stride');
        await curve.afterStep({ loss: losses[s - 1] });
        if (s === S.t2) writeWeights(model, wT2!);
        if (s % stride === 0) store(s);
        if (s % 500 === 0) onSteps(500);
      },
    });
    onSteps(S.steps % 500);
    losses[S.steps] = physicsLossValue(model, tTrain);
    return {
      model,
      stride,
      nW,
      losses,
      durations,
      plainMs: durations.reduce((a, b) => a + b, 0),
      plainCpuUs,
      wAt: (s: number) => plainW.subarray((s / stride) * nW, (s / stride + 1) * nW),
      wT2,
      solution: solve(model, grid),
      paper,
      paperK,
      curve,
      curveH,
      curveW,
      jumped,
    };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    opt.dispose();
  }
}

/** The columns every row of one job shares (the plain run's measures). */
export type RowBase = Pick<
  RunRow,
  'optimizer' | 'seed' | 'steps' | 't1' | 't2' | 'horizon' | 'plain_final_loss' | 'plain_wall_s' | 'plain_cpu_s' | 'rk4_max_err_plain' | 'plain_ms_per_step' | 'backend'
>;

export function rowBase(job: RunJob, p: PlainRun, ref: Solution, backend: string): RowBase {
  const S = job.schedule;
  return {
    optimizer: job.optimizer,
    seed: job.seed,
    steps: S.steps,
    t1: S.t1,
    t2: S.t2,
    horizon: S.horizon,
    plain_final_loss: p.losses[S.steps],
    plain_wall_s: p.plainMs / 1000,
    plain_cpu_s: p.plainCpuUs / 1e6,
    rk4_max_err_plain: maxAbsError(p.solution, ref),
    plain_ms_per_step: p.plainMs / S.steps,
    backend,
  };
}

/**
 * The `paper` and `paper-stride` rows: T_eq of each jump at t2 against the plain losses after
 * t2, its speed-ups and error-to-growth. Throws when a paper jump did not happen.
 */
export function paperRows(job: RunJob, p: PlainRun, base: RowBase, ref: Solution): RunRow[] {
  const { schedule: S, seed, optimizer } = job;
  const { losses, durations, wAt, wT2, jumped } = p;
  const paperJump = p.paper.report.jumps[0];
  const wKO = jumped.paper?.w ?? null;
  if (!paperJump || !wT2 || !wKO) throw new Error(`seed ${seed} ${optimizer}: the paper jump at t2 = ${S.t2} did not happen (${p.paper.report.notes.join('; ')})`);
  const identicalT2 = wT2.every((v, i) => v === wAt(S.t2)[i]);
  const row = (config: RunConfig, jump: JumpRecord, w: Float32Array | null, lossJump: number, solution: Solution | null): RunRow => {
    const ok = jump.accepted && w !== null;
    const l = losses.subarray(S.t2);
    const eq = equivalentSteps(l, ok ? lossJump : NaN, durations.subarray(S.t2));
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
      error_to_growth: ok ? errorToGrowth(w, wAt(S.t2 + S.horizon), wT2) : NaN,
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
  const rows = [row('paper', paperJump, wKO, jumped.paper!.loss, jumped.paper!.solution)];
  const paperKJump = p.paperK.report.jumps[0];
  if (!paperKJump) throw new Error(`seed ${seed} ${optimizer}: the paper-stride jump at t2 = ${S.t2} did not happen (${p.paperK.report.notes.join('; ')})`);
  rows.push(row('paper-stride', paperKJump, jumped.stride?.w ?? null, jumped.stride?.loss ?? NaN, jumped.stride?.solution ?? null));
  return rows;
}
