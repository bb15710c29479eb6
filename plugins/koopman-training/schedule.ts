import { minSnapshots } from '../../src/koopman/options.js';
import { THIN_SVD_DEFAULTS, planThinSvd } from '../../src/linalg/svd.js';
import { partitionWeights } from '../../src/partition/partition.js';
import type { Partition, WeightTensorInfo } from '../../src/partition/types.js';
import { halfWindow } from './jump.js';
import { AUTO_SCHEDULE, defaultCandidates, type ResolvedKoopmanTrainingArgs } from './options.js';
import type { ScheduleRecord } from './report.js';

/** What the plugin does after the first window, in optimizer steps. */
export interface Schedule {
  /** Window length in optimizer steps (t2 − t1). */
  length: number;
  horizon: number;
  every: number | null;
  maxJumps: number;
  candidates: number[] | null;
  /** Stop trying candidates after this many worse ones in a row (null: try all). */
  bracket: number | null;
}

/** The first window and the schedule, in steps, with every check that needs the model. */
export interface Plan {
  partition: Partition;
  schedule: Schedule;
  start: number;
  end: number;
  /** Snapshots the first window holds. */
  capacity: number;
  horizon: number;
  /** recordEvery. */
  stride: number;
  /** What was planned, for the report. */
  record: ScheduleRecord;
}

/**
 * Turns the options into steps for a model's weights, once the steps per epoch are known (for
 * unit 'epoch'), and checks that every group's window holds enough snapshots for its rank rule.
 */
export function planSchedule(a: ResolvedKoopmanTrainingArgs, tensors: WeightTensorInfo[], stepsPerEpoch: number | undefined): Plan {
  if (a.auto) return planAuto(a, tensors, stepsPerEpoch);
  const unit = a.window.unit;
  let scale = 1;
  if (unit === 'epoch') {
    if (!stepsPerEpoch) {
      throw new Error("window.unit 'epoch' needs stepsPerEpoch (fit() supplies it; a custom loop passes it to attach or the options)");
    }
    scale = stepsPerEpoch;
  }
  const k = a.recordEvery;
  const horizon = a.horizon * scale;
  const start = a.window.start * scale;
  const end = a.window.end * scale;
  if (horizon % k !== 0) {
    throw new Error(`horizon (${horizon} steps) must be a multiple of recordEvery (${k}): the operators are ${k}-step maps`);
  }
  const partition = partitionWeights(tensors, a.partition);
  if (partition.groups.length === 0) throw new Error('partition: no weight group to record (every layer skipped?)');
  const every = a.every !== null ? a.every * scale : null;
  const capacity = Math.floor((end - start) / k) + 1;
  // later windows (with `every`) may be shorter than the first
  const snapshots = every === null ? capacity : Math.min(capacity, Math.floor(Math.min(end - start, every) / k) + 1);
  checkGroups(a, partition, start, end, snapshots);
  const candidates = a.guard ? (a.guard.candidates ?? defaultCandidates(horizon, k)) : null;
  if (candidates) {
    for (const c of candidates) {
      if (c % k !== 0) throw new Error(`guard.candidates: ${c} is not a multiple of recordEvery (${k})`);
    }
  }
  const schedule: Schedule = {
    length: end - start,
    horizon,
    every,
    maxJumps: a.maxJumps ?? (every ? Number.POSITIVE_INFINITY : 1),
    candidates: candidates ? [...new Set(candidates)].sort((x, y) => x - y) : null,
    bracket: null,
  };
  return { partition, schedule, start, end, capacity, horizon, stride: k, record: describePlan(false, a, partition, schedule, start, end, k) };
}

/**
 * The auto schedule (see {@link AUTO_SCHEDULE}): one decision per epoch from the end of the second,
 * a window of 33 snapshots before each, candidate horizons k·2^j up to 8 epochs, on the plugin's
 * partition (one operator per node unless the user gives another).
 */
function planAuto(a: ResolvedKoopmanTrainingArgs, tensors: WeightTensorInfo[], stepsPerEpoch: number | undefined): Plan {
  const A = AUTO_SCHEDULE;
  const period = Math.max(stepsPerEpoch ?? A.periodWithoutEpochs, A.snapshots);
  const k = a.recordEvery > 1 ? a.recordEvery : Math.max(1, Math.floor(period / A.snapshots));
  const n = Math.min(A.snapshots, Math.floor(period / k));
  if (n < 4) throw new Error(`recordEvery ${k} leaves ${n} snapshots in an epoch of ${period} steps; the auto schedule needs at least 4 — lower recordEvery`);
  const length = n * k;
  const end = A.firstDecision * period;
  const start = end - length;
  const spec = a.partition;
  const partition = partitionWeights(tensors, spec);
  if (partition.groups.length === 0) throw new Error('partition: no weight group to record (every layer skipped?)');
  checkGroups(a, partition, start, end, n + 1);
  const candidates: number[] = [];
  for (let h = k; h <= A.maxHorizon * period; h *= 2) candidates.push(h);
  const chosen = a.guard!.candidates ? [...new Set(a.guard!.candidates)].sort((x, y) => x - y) : candidates;
  for (const c of chosen) if (c % k !== 0) throw new Error(`guard.candidates: ${c} is not a multiple of recordEvery (${k})`);
  const schedule: Schedule = {
    length,
    horizon: chosen[chosen.length - 1],
    every: period,
    maxJumps: a.maxJumps ?? Number.POSITIVE_INFINITY,
    candidates: chosen,
    bracket: A.bracket,
  };
  const plan = { partition, schedule, start, end, capacity: n + 1, horizon: schedule.horizon, stride: k };
  const record = describePlan(true, a, partition, schedule, start, end, k);
  if (stepsPerEpoch === undefined) record.text += ` (the steps per epoch are unknown: a period of ${period} steps stands in for the epoch — pass stepsPerEpoch to attach() for one per epoch)`;
  return { ...plan, record };
}

/** The schedule in the report's terms, with one line saying what was chosen. */
function describePlan(auto: boolean, a: ResolvedKoopmanTrainingArgs, partition: Partition, s: Schedule, start: number, end: number, k: number): ScheduleRecord {
  const kinds = [...new Set(partition.groups.map((g) => g.kind))].join('/');
  const biggest = Math.max(...partition.groups.map((g) => g.indices.length));
  const text =
    `${auto ? 'auto schedule' : 'schedule'}: ${partition.groups.length} ${kinds} operator(s) (largest ${biggest} weights), ` +
    `window of ${Math.floor((end - start) / k) + 1} snapshots every ${k} step(s) over [${start}, ${end}]` +
    (s.every !== null ? `, then a decision every ${s.every} steps` : '') +
    (s.candidates ? `; horizons ${s.candidates[0]}…${s.candidates[s.candidates.length - 1]} steps tried by the guard${s.bracket ? ` shortest first, stopping after ${s.bracket} worse in a row` : ''}` : `; jump ${s.horizon} steps unchecked`) +
    (a.budget !== null ? `; cost kept within ${(100 * a.budget).toFixed(1)}% of the training time plus the time the jumps saved` : '');
  return {
    auto,
    partition: kinds,
    groups: partition.groups.length,
    recordEvery: k,
    window: { start, end },
    every: s.every,
    candidates: s.candidates,
    budget: a.budget,
    text,
  };
}

/** Every group's window holds enough snapshots for its rank rule, and its fit fits in memory. */
function checkGroups(a: ResolvedKoopmanTrainingArgs, partition: Partition, start: number, end: number, snapshots: number): void {
  const half = a.guard?.agreement != null ? halfWindow(snapshots) : null;
  for (const g of partition.groups) {
    const need = minSnapshots(g.indices.length, a.fit);
    const rule = `group ${g.id} (dimension ${g.indices.length}) needs at least ${need} under rank ${a.fit.rank}${a.fit.affine ? ' with affine' : ''}`;
    if (snapshots < need) {
      throw new Error(`window [${start}, ${end}] holds ${snapshots} snapshots; ${rule}: lengthen the window, split the layer (quasi-node) or use a truncating rank rule (0 or a fraction)`);
    }
    if (half !== null && half < need) {
      throw new Error(`guard.agreement fits the newer half of the window (${half} of ${snapshots} snapshots); ${rule}: lengthen the window, record more often or drop guard.agreement`);
    }
    // the fit's working memory, known now rather than at t2 (the same plan fitRows hands thinSvd)
    const d = g.indices.length;
    const plan = planThinSvd(d, snapshots - 1, { rank: a.fit.rank >= 1 ? a.fit.rank : undefined });
    if (plan.bytes > THIN_SVD_DEFAULTS.maxBytes) {
      throw new Error(
        `group ${g.id} (dimension ${d}) over ${snapshots} snapshots needs ${(plan.bytes / 2 ** 20).toFixed(0)} MiB for its fit (${plan.method} route; bound ${(THIN_SVD_DEFAULTS.maxBytes / 2 ** 20).toFixed(0)} MiB): ` +
          'use an integer rank (a randomized fit), a finer partition (node or quasi-node), or fewer snapshots (recordEvery)',
      );
    }
  }
}
