import { gatherRows, type SharedWindow, type TrajectoryRecorder } from '../trajectory/recorder.js';
import { fitRows } from './fit.js';
import { SvdWorkspace } from '../linalg/workspace.js';
import type { KoopmanOperator } from './operator.js';
import { resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './options.js';

export interface BatchFit {
  /** One operator per recorded group, or null where the fit failed (see errors). */
  operators: (KoopmanOperator | null)[];
  /** Why a group could not be fitted, by group index. */
  errors: Map<number, string>;
  ranks: { min: number; median: number; max: number };
  ms: number;
  /** Groups left unfitted because `stop` said so (0 when it never did). */
  stopped: number;
}

/**
 * Asked after each group's fit with the groups fitted so far and the time since the fit began
 * (ms); returning true leaves the remaining groups unfitted (null operators, with `reason` as
 * their error). Lets a caller hold a fit to a time budget it projects from the groups done.
 */
export type FitStop = (fitted: number, elapsedMs: number) => boolean;

/** When to stop a fit early, and the error the unfitted groups get. */
export interface FitStopRule {
  test: FitStop;
  reason: string;
}

/**
 * Fits one operator per recorded group, reusing a single scratch buffer and one SVD workspace
 * (no per-group allocation beyond each operator's own results). Groups whose fit fails
 * (for example too few snapshots for their dimension under the rank rule) are reported, not thrown,
 * unless `strict` is set. `last` fits only the newest `last` snapshots (all when omitted); `stop`
 * can end the fit early (see {@link FitStop}).
 */
export function fitRecorded(recorder: TrajectoryRecorder, options: FitOptions = {}, strict = false, last?: number, stop?: FitStopRule): BatchFit {
  const t0 = performance.now();
  const o = resolveFitOptions(options);
  const n = snapshotsFitted(recorder, last);
  const all = recorder.groups.map((_, g) => g);
  const fits = fitShare(recorder.share(all), n, o, recorder.groups.map((g) => `group ${g.id}`), new SvdWorkspace(), (done, failed) => {
    if (failed && strict) return true;
    return done > 0 && stop !== undefined && stop.test(done, performance.now() - t0);
  });
  const operators: (KoopmanOperator | null)[] = [];
  const errors = new Map<number, string>();
  let stopped = 0;
  fits.forEach((f, g) => {
    if (f !== null && 'error' in f && strict) throw f.error;
    operators.push(f !== null && 'op' in f ? f.op : null);
    if (f === null) {
      stopped++;
      errors.set(g, stop!.reason);
    } else if ('error' in f) errors.set(g, f.error.message);
  });
  return {
    operators,
    errors,
    ranks: rankSummary(operators),
    ms: performance.now() - t0,
    stopped,
  };
}

/** The snapshots a fit of the newest `last` reads (all held when omitted), checked. */
export function snapshotsFitted(recorder: TrajectoryRecorder, last: number | undefined): number {
  const held = recorder.count;
  if (last !== undefined && !(Number.isInteger(last) && last >= 2 && last <= held)) {
    throw new Error(`fitRecorded: last must be an integer in [2, ${held}] (snapshots held); got ${String(last)}`);
  }
  return last ?? held;
}

/** One group's fit in a share: its operator or why it failed; null when the share stopped before it. */
export type ShareFit = { op: KoopmanOperator } | { error: Error } | null;

/**
 * Fits the groups of a shared window in order, reusing one scratch buffer and `work` — the loop
 * every thread of a fit runs (the one-thread fit, and each thread of a FitPool). Before each group
 * it asks `halt(processed, lastFailed)` and leaves the rest null once that says so. Never throws
 * for a group: failures are returned. Cost: the groups' {@link fitRows}.
 */
export function fitShare(win: SharedWindow, n: number, o: ResolvedFitOptions, labels: readonly string[], work: SvdWorkspace, halt: (processed: number, lastFailed: boolean) => boolean): ShareFit[] {
  const scratch = new Float64Array(win.dims.reduce((a, d) => Math.max(a, d), 0) * win.count);
  const out: ShareFit[] = new Array<ShareFit>(win.dims.length).fill(null);
  let failed = false;
  for (let j = 0; j < win.dims.length; j++) {
    if (halt(j, failed)) break;
    try {
      out[j] = { op: fitRows(windowRows(win, j, n, scratch), win.dims[j], n, o, labels[j], work) };
      failed = false;
    } catch (err) {
      out[j] = { error: err as Error };
      failed = true;
    }
  }
  return out;
}

/** Min, median and max rank of the fitted operators (zeros when none). */
export function rankSummary(operators: readonly (KoopmanOperator | null)[]): BatchFit['ranks'] {
  const ranks = operators.filter((x): x is KoopmanOperator => x !== null).map((x) => x.rank).sort((a, b) => a - b);
  return ranks.length ? { min: ranks[0], median: ranks[ranks.length >> 1], max: ranks[ranks.length - 1] } : { min: 0, median: 0, max: 0 };
}

/**
 * The newest `n` snapshots of group j of a shared window as d × n rows (the layout
 * {@link fitRows} reads), in `scratch` (at least d × count long). O(d·count).
 */
export function windowRows(win: SharedWindow, j: number, n: number, scratch: Float64Array): Float64Array {
  const d = win.dims[j];
  const held = win.count;
  let rows = gatherRows(win, j, scratch).subarray(0, d * held);
  const skip = held - n;
  if (skip > 0) {
    // keep the newest n columns of every row, packed to d × n in place
    for (let i = 0; i < d; i++) rows.copyWithin(i * n, i * held + skip, (i + 1) * held);
    rows = rows.subarray(0, d * n);
  }
  return rows;
}
