import { minSnapshots } from '../../src/koopman/options.js';
import { THIN_SVD_DEFAULTS, planThinSvd } from '../../src/linalg/svd.js';
import { partitionWeights } from '../../src/partition/partition.js';
import type { Partition, WeightTensorInfo } from '../../src/partition/types.js';
import { halfWindow } from './jump.js';
import { defaultCandidates, type ResolvedKoopmanTrainingArgs } from './options.js';

/** What the plugin does after the first window, in optimizer steps. */
export interface Schedule {
  /** Window length in optimizer steps (t2 − t1). */
  length: number;
  horizon: number;
  every: number | null;
  maxJumps: number;
  candidates: number[] | null;
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
}

/**
 * Turns the options into steps for a model's weights, once the steps per epoch are known (for
 * unit 'epoch'), and checks that every group's window holds enough snapshots for its rank rule.
 */
export function planSchedule(a: ResolvedKoopmanTrainingArgs, tensors: WeightTensorInfo[], stepsPerEpoch: number | undefined): Plan {
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
  };
  return { partition, schedule, start, end, capacity, horizon, stride: k };
}
