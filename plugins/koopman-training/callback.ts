import * as tf from '@tensorflow/tfjs';
import { predictionDisagreement } from '../../src/koopman/agreement.js';
import { fitRecorded } from '../../src/koopman/batch.js';
import type { KoopmanOperator } from '../../src/koopman/operator.js';
import { minSnapshots, type ResolvedFitOptions } from '../../src/koopman/options.js';
import { partitionWeights, scatterGroup } from '../../src/partition/partition.js';
import type { Partition } from '../../src/partition/types.js';
import { describeModel, readWeights, writeWeights } from '../../src/tfjs/weights.js';
import { TrajectoryRecorder } from '../../src/trajectory/recorder.js';
import {
  PLUGIN_DEFAULTS,
  defaultCandidates,
  resolvePluginFit,
  validateArgs,
  type KoopmanTrainingArgs,
} from './options.js';
import { resetOptimizerState } from './optimizer-state.js';
import { describeJump, type CandidateResult, type JumpRecord, type KoopmanReport } from './report.js';

interface Schedule {
  /** Window length in optimizer steps (t2 − t1). */
  length: number;
  horizon: number;
  every: number | null;
  maxJumps: number;
  candidates: number[] | null;
}

/**
 * Koopman training (seed 004, Algorithm 1) as a tfjs callback: records the weight groups over a
 * window, fits one operator per group, and at t2 jumps the weights ahead — checked against a
 * guard loss when one is given, and rolled back bit-for-bit when no candidate helps.
 * Use it in `model.fit(..., { callbacks: [kt] })`, or in a custom loop with `attach(model)` and
 * `afterStep({ loss })` after every optimizer step.
 */
export class KoopmanTraining extends tf.Callback {
  readonly args: KoopmanTrainingArgs;
  readonly fitOptions: ResolvedFitOptions;
  /** What happened so far; complete after training ends. */
  readonly report: KoopmanReport = {
    jumps: [],
    recordedSteps: 0,
    skippedSteps: 0,
    optimizerSteps: 0,
    effectiveSteps: 0,
    bytesHeld: 0,
    notes: [],
  };
  /** The operators of the latest jump, by group (null where a group could not be fitted). */
  lastFit: {
    groups: Partition['groups'];
    operators: (KoopmanOperator | null)[];
    /** Each group's weights at the jump (t2), the states the operators extrapolate from. */
    states: Float64Array[];
    /** Steps per operator application (recordEvery). */
    stride: number;
    step: number;
  } | null = null;
  private partition: Partition | null = null;
  private recorder: TrajectoryRecorder | null = null;
  private flat: Float32Array | null = null;
  private schedule: Schedule | null = null;
  /** Optimizer steps taken. */
  private steps = 0;
  private windowStart = 0;
  private windowEnd = 0;
  private recording = true;
  private recordMs = 0;
  /** Record every k-th step, counted back from the window end so that t2 is always a snapshot. */
  private stride = 1;
  private attachedModel: tf.LayersModel | null = null;

  constructor(args: KoopmanTrainingArgs) {
    super();
    validateArgs(args);
    this.args = args;
    this.fitOptions = resolvePluginFit(args);
  }

  /** The model being trained (fit()'s or the attached one). */
  private get net(): tf.LayersModel {
    const m = this.attachedModel ?? (this.model as tf.LayersModel | undefined);
    if (!m) throw new Error('koopmanTraining: no model; pass the callback to fit() or call attach(model) first');
    return m;
  }

  /** Optimizer steps the current weights stand for (taken + skipped). */
  get effectiveStep(): number {
    return this.steps + this.report.skippedSteps;
  }

  /** Prepares a custom training loop: call once before the first `afterStep`. */
  async attach(model: tf.LayersModel, stepsPerEpoch?: number): Promise<void> {
    this.attachedModel = model;
    this.setup(stepsPerEpoch ?? this.args.stepsPerEpoch);
  }

  /** Custom loop: call after every optimizer step (with that step's loss, when known). */
  async afterStep(logs: { loss?: number } = {}): Promise<void> {
    if (!this.schedule) throw new Error('koopmanTraining: call attach(model) before afterStep()');
    await this.step(logs.loss);
  }

  override async onTrainBegin(): Promise<void> {
    const p = this.params as { steps?: number | null; samples?: number | null; batchSize?: number | null };
    const spe =
      this.args.stepsPerEpoch ??
      (p?.steps ? p.steps : p?.samples && p?.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    this.setup(spe);
  }

  override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
    await this.step(typeof logs?.loss === 'number' ? logs.loss : undefined);
  }

  private setup(stepsPerEpoch: number | undefined): void {
    const a = this.args;
    const unit = a.window.unit ?? 'step';
    let scale = 1;
    if (unit === 'epoch') {
      if (!stepsPerEpoch) {
        throw new Error("window.unit 'epoch' needs stepsPerEpoch (fit() supplies it; a custom loop passes it to attach or the options)");
      }
      scale = stepsPerEpoch;
    }
    const k = a.recordEvery ?? PLUGIN_DEFAULTS.recordEvery;
    const horizon = a.horizon * scale;
    const start = a.window.start * scale;
    const end = a.window.end * scale;
    if (horizon % k !== 0) {
      throw new Error(`horizon (${horizon} steps) must be a multiple of recordEvery (${k}): the operators are ${k}-step maps`);
    }
    const model = this.net;
    this.partition = partitionWeights(describeModel(model), { ...PLUGIN_DEFAULTS.partition, ...a.partition });
    if (this.partition.groups.length === 0) throw new Error('partition: no weight group to record (every layer skipped?)');
    const every = a.every !== undefined ? a.every * scale : null;
    const capacity = Math.floor((end - start) / k) + 1;
    // later windows (with `every`) may be shorter than the first
    const snapshots = every === null ? capacity : Math.min(capacity, Math.floor(Math.min(end - start, every) / k) + 1);
    const half = a.guard?.agreement !== undefined ? halfWindow(snapshots) : null;
    for (const g of this.partition.groups) {
      const need = minSnapshots(g.indices.length, this.fitOptions);
      const rule = `group ${g.id} (dimension ${g.indices.length}) needs at least ${need} under rank ${this.fitOptions.rank}${this.fitOptions.affine ? ' with affine' : ''}`;
      if (snapshots < need) {
        throw new Error(`window [${start}, ${end}] holds ${snapshots} snapshots; ${rule}: lengthen the window, split the layer (quasi-node) or use a truncating rank rule (0 or a fraction)`);
      }
      if (half !== null && half < need) {
        throw new Error(`guard.agreement fits the newer half of the window (${half} of ${snapshots} snapshots); ${rule}: lengthen the window, record more often or drop guard.agreement`);
      }
    }
    const candidates = a.guard ? (a.guard.candidates ?? defaultCandidates(horizon)) : null;
    if (candidates) {
      for (const c of candidates) {
        if (c % k !== 0) throw new Error(`guard.candidates: ${c} is not a multiple of recordEvery (${k})`);
      }
    }
    this.schedule = {
      length: end - start,
      horizon,
      every,
      maxJumps: a.maxJumps ?? (every ? Number.POSITIVE_INFINITY : 1),
      candidates: candidates ? [...new Set(candidates)].sort((x, y) => x - y) : null,
    };
    this.recorder = new TrajectoryRecorder({
      groups: this.partition.groups,
      capacity,
      dtype: a.dtype ?? PLUGIN_DEFAULTS.dtype,
    });
    this.flat = new Float32Array(this.partition.totalWeights);
    this.steps = 0;
    this.windowStart = start;
    this.windowEnd = end;
    this.recording = true;
    this.recordMs = 0;
    Object.assign(this.report, {
      jumps: [],
      recordedSteps: 0,
      skippedSteps: 0,
      optimizerSteps: 0,
      effectiveSteps: 0,
      bytesHeld: this.recorder.bytes,
      notes: [...this.partition.notes],
    });
    const uncovered = this.partition.totalWeights - this.partition.coveredWeights;
    if (uncovered > 0) this.report.notes.push(`${uncovered} of ${this.partition.totalWeights} weights are in no group and are never changed`);
    if (a.verbose) {
      console.log(
        `[koopman] ${this.partition.groups.length} groups, window [${start}, ${end}] (${capacity} snapshots), horizon ${horizon}: holding ${(this.recorder.bytes / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    this.stride = k;
    if (start === 0 && end % k === 0) this.recordNow();
  }

  private recordNow(): void {
    if (!this.recording || !this.recorder || !this.flat) return;
    const t0 = performance.now();
    readWeights(this.net, this.flat);
    try {
      if (this.recorder.record(this.steps, this.flat)) this.report.recordedSteps++;
    } catch (err) {
      this.stopRecording((err as Error).message);
    }
    this.recordMs += performance.now() - t0;
  }

  private stopRecording(why: string): void {
    this.recording = false;
    this.report.notes.push(`recording stopped at step ${this.steps}: ${why}; no fit is made on this window, training goes on untouched`);
  }

  private async step(loss: number | undefined): Promise<void> {
    const s = this.schedule;
    if (!s) return;
    this.steps++;
    this.report.optimizerSteps = this.steps;
    this.report.effectiveSteps = this.effectiveStep;
    if (this.report.jumps.length >= s.maxJumps) return;
    if (this.steps < this.windowStart || this.steps > this.windowEnd) return;
    if (loss !== undefined && !Number.isFinite(loss) && this.recording) {
      this.stopRecording(`non-finite loss (${loss})`);
    }
    if ((this.windowEnd - this.steps) % this.stride === 0) this.recordNow();
    if (this.steps === this.windowEnd) {
      if (this.recording) await this.jump();
      else this.report.notes.push(`no jump at step ${this.steps}: the window was not recorded completely`);
      this.nextWindow();
    }
  }

  private nextWindow(): void {
    const s = this.schedule!;
    this.recorder!.reset();
    this.recording = true;
    this.recordMs = 0;
    if (s.every === null || this.report.jumps.length >= s.maxJumps) {
      this.windowStart = this.windowEnd = Number.POSITIVE_INFINITY;
      return;
    }
    const end = this.steps + s.every;
    const start = Math.max(this.steps, end - s.length);
    this.windowStart = start;
    this.windowEnd = end;
    if (start === this.steps && (end - start) % this.stride === 0) this.recordNow();
  }

  private async jump(): Promise<void> {
    const s = this.schedule!;
    const rec = this.recorder!;
    const model = this.net;
    const k = this.stride;
    const fit = fitRecorded(rec, this.fitOptions);
    const tau = this.args.guard?.agreement;
    const halfFit = tau !== undefined ? fitRecorded(rec, this.fitOptions, false, halfWindow(rec.count)) : null;
    if (halfFit) fit.ms += halfFit.ms;
    const skippedGroups: { id: string; reason: string }[] = [];
    fit.errors.forEach((msg, g) => skippedGroups.push({ id: rec.groups[g].id, reason: msg }));
    const base = readWeights(model);
    const latest = rec.groups.map((_, g) => rec.latest(g));
    this.lastFit = { groups: rec.groups, operators: fit.operators, states: latest, stride: k, step: this.steps };
    let extrapolateMs = 0;
    let guardMs = 0;
    // Each group's whole-window prediction h steps ahead, made once per horizon (the agreement
    // check and the candidate weights share it); null for groups without an operator.
    const predicted = new Map<number, (Float64Array | null)[]>();
    const predictions = (h: number): (Float64Array | null)[] => {
      let p = predicted.get(h);
      if (!p) {
        const t0 = performance.now();
        p = fit.operators.map((op, g) => (op ? op.predict(latest[g], h / k) : null));
        predicted.set(h, p);
        extrapolateMs += performance.now() - t0;
      }
      return p;
    };
    const candidateWeights = (h: number): Float32Array | null => {
      const p = predictions(h);
      const t0 = performance.now();
      for (const x of p) if (x) for (let i = 0; i < x.length; i++) if (!Number.isFinite(Math.fround(x[i]))) return null;
      const out = base.slice();
      p.forEach((x, g) => x && scatterGroup(out, rec.groups[g], x));
      extrapolateMs += performance.now() - t0;
      return out;
    };
    // Share of the jump by which the whole-window and newer-half predictions differ.
    const disagreement = (h: number): number => {
      const x = predictions(h);
      const t0 = performance.now();
      const y = halfFit!.operators.map((op, g) => (op && x[g] ? op.predict(latest[g], h / k) : null));
      const r = predictionDisagreement(x, y, latest);
      extrapolateMs += performance.now() - t0;
      return r;
    };
    const record: JumpRecord = {
      step: this.steps,
      horizon: 0,
      candidates: [],
      lossBefore: NaN,
      lossAfter: NaN,
      accepted: false,
      reason: '',
      snapshots: rec.count,
      recordMs: this.recordMs,
      fitMs: fit.ms,
      extrapolateMs: 0,
      guardMs: 0,
      ranks: fit.ranks,
      skippedGroups,
    };
    if (fit.operators.every((o) => o === null)) {
      record.reason = `no group could be fitted (${skippedGroups[0]?.reason ?? 'no groups'}); weights unchanged`;
    } else if (!s.candidates) {
      const w = candidateWeights(s.horizon);
      if (w) {
        writeWeights(model, w);
        record.accepted = true;
        record.horizon = s.horizon;
        record.reason = `no guard: jumped ${s.horizon} steps unchecked, as the paper's Algorithm 1 does`;
      } else {
        record.reason = `the prediction ${s.horizon} steps ahead is not finite; weights unchanged`;
      }
    } else {
      const evalLoss = async (): Promise<number> => {
        const t0 = performance.now();
        const l = await this.guardLoss(model);
        guardMs += performance.now() - t0;
        return l;
      };
      record.lossBefore = await evalLoss();
      const results: CandidateResult[] = [];
      let best: { h: number; loss: number; w: Float32Array } | null = null;
      let passed = 0;
      for (const h of s.candidates) {
        const dis = tau !== undefined ? disagreement(h) : undefined;
        if (dis !== undefined && !(dis <= tau!)) {
          results.push({ horizon: h, loss: NaN, disagreement: dis });
          continue;
        }
        passed++;
        const w = candidateWeights(h);
        if (!w) {
          results.push({ horizon: h, loss: Number.POSITIVE_INFINITY, ...(dis !== undefined ? { disagreement: dis } : {}) });
          continue;
        }
        writeWeights(model, w);
        const loss = await evalLoss();
        results.push({ horizon: h, loss, ...(dis !== undefined ? { disagreement: dis } : {}) });
        if (Number.isFinite(loss) && (!best || loss < best.loss)) best = { h, loss, w };
      }
      record.candidates = results;
      const bar = record.lossBefore * (1 - (this.args.guard?.minImprovement ?? PLUGIN_DEFAULTS.minImprovement));
      if (best && best.loss < bar) {
        writeWeights(model, best.w);
        record.accepted = true;
        record.horizon = best.h;
        record.lossAfter = best.loss;
        const within = tau !== undefined ? ` (${passed} within agreement ${tau})` : '';
        record.reason = `best of ${results.length} candidate horizons${within} lowered the guard loss by ${(100 * (1 - best.loss / record.lossBefore)).toFixed(2)}%`;
      } else {
        writeWeights(model, base);
        record.lossAfter = record.lossBefore;
        record.reason = best
          ? `no candidate beat the loss at t2 (best ${best.loss.toPrecision(4)} at ${best.h} steps vs ${record.lossBefore.toPrecision(4)}); exact t2 weights restored`
          : tau !== undefined && passed === 0
            ? `no candidate horizon passed the agreement check (smallest disagreement ${Math.min(...results.map((r) => r.disagreement ?? Infinity)).toPrecision(3)} > ${tau}${halfFit!.errors.size ? `; ${halfFit!.errors.size} group(s) could not be fitted on the newer half` : ''}); exact t2 weights restored`
            : tau !== undefined
              ? `the ${passed} candidate prediction(s) within agreement ${tau} were non-finite; exact t2 weights restored`
              : 'every candidate prediction was non-finite; exact t2 weights restored';
      }
    }
    if (skippedGroups.length) record.reason += `; ${skippedGroups.length} group(s) kept their t2 weights (no operator)`;
    record.extrapolateMs = extrapolateMs;
    record.guardMs = guardMs;
    if (record.accepted) {
      this.report.skippedSteps += record.horizon;
      this.report.effectiveSteps = this.effectiveStep;
      if ((this.args.optimizerState ?? PLUGIN_DEFAULTS.optimizerState) === 'reset' && model.optimizer) {
        await resetOptimizerState(model.optimizer);
      }
    }
    this.report.jumps.push(record);
    if (this.args.verbose) console.log(describeJump(record));
    if (this.args.onJump) await this.args.onJump(record);
  }

  private async guardLoss(model: tf.LayersModel): Promise<number> {
    const g = this.args.guard!;
    if (g.lossFn) return Number(await g.lossFn(model));
    const [x, y] = g.validationData!;
    const out = model.evaluate(x, y, { batchSize: g.batchSize ?? PLUGIN_DEFAULTS.guardBatchSize });
    const list = Array.isArray(out) ? out : [out];
    const loss = (await list[0].data())[0];
    tf.dispose(list);
    return loss;
  }
}

/** Snapshots of the newer half of a window of n snapshots (the agreement check's second fit). */
export function halfWindow(n: number): number {
  return Math.ceil(n / 2);
}
