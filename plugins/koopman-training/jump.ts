import * as tf from '@tensorflow/tfjs';
import { predictionDisagreement } from '../../src/koopman/agreement.js';
import type { FitPool } from '../../src/koopman/pool.js';
import { dropWildOperators, fitWindow, type WindowFit, type WindowSource } from '../../src/koopman/window.js';
import { resetOptimizerState } from '../../src/tfjs/optimizer-state.js';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import type { TrajectoryRecorder } from '../../src/trajectory/recorder.js';
import type { ResolvedGuard, ResolvedKoopmanTrainingArgs } from './options.js';
import type { CandidateResult, JumpRecord } from './report.js';

/** What one jump decision needs to know. */
export interface JumpContext {
  model: tf.LayersModel;
  recorder: TrajectoryRecorder;
  /** Optimizer steps between snapshots (recordEvery). */
  stride: number;
  options: ResolvedKoopmanTrainingArgs;
  /** The unchecked jump's length, in steps. */
  horizon: number;
  /** Horizons the guard tries (null: no guard). */
  candidates: number[] | null;
  /** Stop after this many candidates in a row that do not beat the best so far (null: try all). */
  bracket?: number | null;
  /** Optimizer steps taken (t2). */
  step: number;
  recordMs: number;
  /**
   * Time this decision may take, ms (null or omitted: no limit). The fit stops, and no further
   * candidate is evaluated, once the decision's cost projected from what it has measured so far
   * (the guard loss at t2, the groups fitted) would pass it; the weights are then left at t2.
   */
  limitMs?: number | null;
  /** Threads that share the fits (null or omitted: the calling thread fits alone). */
  pool?: FitPool | null;
}

/** Guard evaluations a decision is expected to make after the loss at t2 (for its cost projection). */
function expectedEvaluations(candidates: number[] | null, bracket: number | null | undefined): number {
  if (!candidates) return 0;
  return Math.min(candidates.length, bracket ? bracket + 2 : candidates.length);
}

/** A decision that failed part-way: the t2 weights were restored; `record` says what happened. */
export class JumpAborted extends Error {
  constructor(
    readonly record: JumpRecord,
    override readonly cause: unknown,
  ) {
    super(record.reason);
  }
}

/** Snapshots of the newer half of a window of n snapshots (the agreement check's second fit). */
export function halfWindow(n: number): number {
  return Math.ceil(n / 2);
}

/**
 * One jump decision at t2: fits the window, then jumps T unchecked (no guard) or evaluates the
 * candidate horizons and keeps the best one that lowers the guard loss, restoring the exact t2
 * weights otherwise. Returns the decision's record and the fit it was made from.
 */
export async function decideJump(c: JumpContext): Promise<{ record: JumpRecord; fit: WindowFit }> {
  const { model, recorder: rec, stride: k, options: o } = c;
  const start = performance.now();
  const limit = c.limitMs ?? null;
  const guarded = Boolean(c.candidates && o.guard);
  let guardMs = 0;
  const evalLoss = async (): Promise<number> => {
    const t0 = performance.now();
    const l = await guardLoss(model, o.guard!);
    guardMs += performance.now() - t0;
    return l;
  };
  // The guard loss at t2 comes first: its time is what each candidate's evaluation will cost, the
  // yardstick of the projection below. A failure is raised where the decision's errors are.
  let before: { loss: number } | { error: unknown } = { loss: Number.NaN };
  if (guarded) {
    try {
      before = { loss: await evalLoss() };
    } catch (error) {
      before = { error };
    }
  }
  const projection = limit !== null ? projectCost(rec, start, guardMs * expectedEvaluations(c.candidates, c.bracket)) : null;
  const stop = projection && limit !== null ? { test: (n: number, ms: number) => projection.over(n, ms, limit), reason: 'not fitted: the decision was abandoned to stay within the budget' } : undefined;
  const pool = c.pool ?? null;
  const fitOf = (source: Extract<WindowSource, { recorder: TrajectoryRecorder }>) => (pool ? pool.fitWindow(source, o.fit) : fitWindow(source, o.fit));
  const fit = await fitOf({ recorder: rec, stride: k, ...(stop ? { stop } : {}) });
  const tau = o.guard?.agreement ?? null;
  const halfFit = tau !== null && fit.stopped === 0 ? await fitOf({ recorder: rec, stride: k, last: halfWindow(rec.count) }) : null;
  if (halfFit) fit.ms += halfFit.ms;
  if (o.maxStepRatio !== null) {
    const t0 = performance.now();
    const largest = (g: number) => rec.largestStep(g);
    dropWildOperators(fit, largest, o.maxStepRatio);
    if (halfFit) dropWildOperators(halfFit, largest, o.maxStepRatio);
    fit.ms += performance.now() - t0;
  }
  const skippedGroups: { id: string; reason: string }[] = [];
  fit.errors.forEach((msg, g) => fit.stopped === 0 && skippedGroups.push({ id: rec.groups[g].id, reason: msg }));
  const base = readWeights(model);
  let extrapolateMs = 0;
  // Each group's whole-window prediction h steps ahead, made once per horizon (the agreement
  // check and the candidate weights share it); null for groups without an operator.
  const predicted = new Map<number, (Float64Array | null)[]>();
  const predictions = (h: number): (Float64Array | null)[] => {
    let p = predicted.get(h);
    if (!p) {
      const t0 = performance.now();
      p = fit.predictGroups(h);
      predicted.set(h, p);
      extrapolateMs += performance.now() - t0;
    }
    return p;
  };
  const candidateWeights = (h: number): Float32Array | null => {
    const p = predictions(h);
    const t0 = performance.now();
    const out = fit.predictWeights(h, base, p);
    extrapolateMs += performance.now() - t0;
    return out;
  };
  // Share of the jump by which the whole-window and newer-half predictions differ.
  const disagreement = (h: number): number => {
    const x = predictions(h);
    const t0 = performance.now();
    const y = halfFit!.operators.map((op, g) => (op && x[g] ? op.predict(fit.states[g], h / k) : null));
    const r = predictionDisagreement(x, y, fit.states);
    extrapolateMs += performance.now() - t0;
    return r;
  };
  const record: JumpRecord = {
    step: c.step,
    horizon: 0,
    candidates: [],
    lossBefore: NaN,
    lossAfter: NaN,
    accepted: false,
    reason: '',
    snapshots: rec.count,
    recordMs: c.recordMs,
    fitMs: fit.ms,
    extrapolateMs: 0,
    guardMs: 0,
    ranks: fit.ranks,
    skippedGroups,
  };
  try {
    if ('error' in before) throw before.error;
    if (fit.stopped > 0) {
      const fitted = rec.groups.length - fit.stopped;
      record.projectedMs = projection!.projected;
      record.lossAfter = record.lossBefore = before.loss;
      record.reason =
        `decision abandoned to stay within the budget: after ${fitted} of ${rec.groups.length} group fits (${(performance.now() - start).toFixed(0)} ms) ` +
        `the whole decision was projected at ≈ ${projection!.projected.toFixed(0)} ms, more than the ${limit!.toFixed(0)} ms the budget had left; weights unchanged`;
    } else if (fit.operators.every((op) => op === null)) {
      record.reason = `no group could be fitted (${skippedGroups[0]?.reason ?? 'no groups'}); weights unchanged`;
    } else if (!c.candidates || !o.guard) {
      const w = candidateWeights(c.horizon);
      if (w) {
        writeWeights(model, w);
        record.accepted = true;
        record.horizon = c.horizon;
        record.reason = `no guard: jumped ${c.horizon} steps unchecked, as the paper's Algorithm 1 does`;
      } else {
        record.reason = `the prediction ${c.horizon} steps ahead is not finite; weights unchanged`;
      }
    } else {
      const guard = o.guard;
      const evalMs = guardMs;
      record.lossBefore = before.loss;
    if (!Number.isFinite(record.lossBefore)) {
      throw new Error(`guard loss at t2 (before any jump) is ${record.lossBefore}: ${guard.lossFn ? 'guard.lossFn' : 'guard.validationData'} gives no finite loss to compare candidates with`);
    }
      const results: CandidateResult[] = [];
      let best: { h: number; loss: number; w: Float32Array } | null = null;
      let passed = 0;
      let nonFiniteLoss = 0;
      let worse = 0;
      let outOfBudget = false;
      for (const h of c.candidates) {
        if (c.bracket && worse >= c.bracket) break;
        if (limit !== null && performance.now() - start + evalMs > limit) {
          outOfBudget = true;
          break;
        }
        const dis = tau !== null ? disagreement(h) : undefined;
        if (dis !== undefined && !(dis <= tau!)) {
          results.push({ horizon: h, loss: NaN, disagreement: dis });
          continue;
        }
        passed++;
        const w = candidateWeights(h);
        if (!w) {
          results.push({ horizon: h, loss: Number.POSITIVE_INFINITY, ...(dis !== undefined ? { disagreement: dis } : {}) });
          worse++;
          continue;
        }
        writeWeights(model, w);
        const loss = await evalLoss();
        if (!Number.isFinite(loss)) nonFiniteLoss++;
        results.push({ horizon: h, loss: Number.isFinite(loss) ? loss : Number.POSITIVE_INFINITY, ...(dis !== undefined ? { disagreement: dis } : {}) });
        if (Number.isFinite(loss) && (!best || loss < best.loss)) {
          best = { h, loss, w };
          worse = 0;
        } else worse++;
      }
      record.candidates = results;
      const bar = record.lossBefore * (1 - guard.minImprovement);
      if (best && best.loss < bar) {
        writeWeights(model, best.w);
        record.accepted = true;
        record.horizon = best.h;
        record.lossAfter = best.loss;
        const within = tau !== null ? ` (${passed} within agreement ${tau})` : '';
        const tried =
          results.length < c.candidates.length
            ? ` (${c.candidates.length - results.length} longer ones not tried ${outOfBudget ? 'to stay within the budget' : `after ${c.bracket} worse in a row`})`
            : '';
        record.reason = `best of ${results.length} candidate horizons${within}${tried} lowered the guard loss by ${(100 * (1 - best.loss / record.lossBefore)).toFixed(2)}%`;
      } else {
        writeWeights(model, base);
        record.lossAfter = record.lossBefore;
        record.reason = outOfBudget && results.length === 0
          ? `no candidate was evaluated: one guard evaluation (${evalMs.toFixed(0)} ms) would have passed the ${limit!.toFixed(0)} ms the budget had left for this decision; exact t2 weights restored`
          : best
          ? best.loss < record.lossBefore
            ? `the best candidate (${best.loss.toPrecision(4)} at ${best.h} steps) lowered the guard loss by ${(100 * (1 - best.loss / record.lossBefore)).toFixed(2)}%, less than guard.minImprovement ${guard.minImprovement} asks (below ${bar.toPrecision(4)}); exact t2 weights restored`
            : `no candidate beat the loss at t2 (best ${best.loss.toPrecision(4)} at ${best.h} steps vs ${record.lossBefore.toPrecision(4)}); exact t2 weights restored`
          : tau !== null && passed === 0
            ? `no candidate horizon passed the agreement check (smallest disagreement ${Math.min(...results.map((r) => r.disagreement ?? Infinity)).toPrecision(3)} > ${tau}${halfFit!.errors.size ? `; ${halfFit!.errors.size} group(s) could not be fitted on the newer half` : ''}); exact t2 weights restored`
            : tau !== null
              ? `the ${passed} candidate prediction(s) within agreement ${tau} were non-finite; exact t2 weights restored`
              : nonFiniteLoss > 0
                ? `no candidate gave a finite guard loss (${passed - nonFiniteLoss} prediction(s) non-finite, ${nonFiniteLoss} finite prediction(s) with a non-finite loss); exact t2 weights restored`
                : 'every candidate prediction was non-finite; exact t2 weights restored';
        if (outOfBudget && results.length > 0) record.reason += ` (${c.candidates.length - results.length} longer candidate(s) not tried to stay within the budget)`;
      }
    }
  } catch (err) {
    writeWeights(model, base);
    record.accepted = false;
    record.horizon = 0;
    record.lossAfter = record.lossBefore;
    record.extrapolateMs = extrapolateMs;
    record.guardMs = guardMs;
    record.reason = `the decision failed (${(err as Error)?.message ?? String(err)}); exact t2 weights restored before the error was passed on`;
    throw new JumpAborted(record, err);
  }
  if (skippedGroups.length) record.reason += `; ${skippedGroups.length} group(s) kept their t2 weights (no operator)`;
  record.extrapolateMs = extrapolateMs;
  record.guardMs = guardMs;
  const optimizer = o.optimizer ?? model.optimizer;
  if (record.accepted && o.optimizerState === 'reset' && optimizer) await resetOptimizerState(optimizer);
  return { record, fit };
}

/**
 * The decision's cost as projected after each group fit: the time spent so far (the guard loss at
 * t2 included), plus the remaining groups at the pace of the groups after the first (the first
 * pays for compiling the fitting code), plus `guardMs` for the candidate evaluations still to come.
 * A group's share is d·m·min(d, m), the cost of its fit. Projects from the third group on; stops
 * at once when the time spent alone passes the limit.
 */
function projectCost(rec: TrajectoryRecorder, start: number, guardMs: number) {
  const m = Math.max(1, rec.count - 1);
  const cum = [0];
  for (const g of rec.groups) {
    const d = g.indices.length;
    cum.push(cum[cum.length - 1] + d * m * Math.min(d, m));
  }
  const total = cum[cum.length - 1];
  const before = performance.now() - start;
  let firstMs = 0;
  const p = {
    projected: 0,
    over(fitted: number, elapsedMs: number, limit: number): boolean {
      if (fitted === 1) firstMs = elapsedMs;
      const spent = before + elapsedMs;
      const pace = fitted >= 3 && cum[fitted] > cum[1] ? (elapsedMs - firstMs) / (cum[fitted] - cum[1]) : 0;
      p.projected = spent + pace * (total - cum[fitted]) + guardMs;
      return spent > limit || (fitted >= 3 && p.projected > limit);
    },
  };
  return p;
}

/** The guard loss of the model's current weights: the user's lossFn, or model.evaluate's loss on validationData. */
async function guardLoss(model: tf.LayersModel, g: ResolvedGuard): Promise<number> {
  if (g.lossFn) {
    const v: unknown = await g.lossFn(model);
    if (typeof v !== 'number') {
      throw new Error(`guard.lossFn must return a number (or a Promise of one); got ${v === null ? 'null' : typeof v === 'object' ? 'an object (a tensor? return loss.dataSync()[0])' : typeof v}`);
    }
    return v;
  }
  const [x, y] = g.validationData!;
  const out = model.evaluate(x, y, { batchSize: g.batchSize });
  const list = Array.isArray(out) ? out : [out];
  const loss = (await list[0].data())[0];
  tf.dispose(list);
  return loss;
}
