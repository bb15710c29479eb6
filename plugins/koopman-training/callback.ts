import * as tf from '@tensorflow/tfjs';
import type { KoopmanOperator } from '../../src/koopman/operator.js';
import { minSnapshots, type ResolvedFitOptions } from '../../src/koopman/options.js';
import { partitionWeights } from '../../src/partition/partition.js';
import type { Partition } from '../../src/partition/types.js';
import { describeModel, readWeights } from '../../src/tfjs/weights.js';
import { TrajectoryRecorder } from '../../src/trajectory/recorder.js';
import { decideJump, halfWindow } from './jump.js';
import { defaultCandidates, resolveKoopmanTrainingArgs, type KoopmanTrainingArgs, type ResolvedKoopmanTrainingArgs } from './options.js';
import { describeJump, type KoopmanReport } from './report.js';

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
  /** The options as given. */
  readonly args: KoopmanTrainingArgs;
  /** The options in force: every default filled ({@link KOOPMAN_TRAINING_DEFAULTS}). */
  readonly options: ResolvedKoopmanTrainingArgs;
  /** The engine options of every fit (`options.fit`). */
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
    this.options = resolveKoopmanTrainingArgs(args);
    this.args = args;
    this.fitOptions = this.options.fit;
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
    this.setup(stepsPerEpoch ?? this.options.stepsPerEpoch ?? undefined);
  }

  /** Custom loop: call after every optimizer step (with that step's loss, when known). */
  async afterStep(logs: { loss?: number } = {}): Promise<void> {
    if (!this.schedule) throw new Error('koopmanTraining: call attach(model) before afterStep()');
    await this.step(logs.loss);
  }

  override async onTrainBegin(): Promise<void> {
    const p = this.params as { steps?: number | null; samples?: number | null; batchSize?: number | null };
    const spe =
      this.options.stepsPerEpoch ??
      (p?.steps ? p.steps : p?.samples && p?.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    this.setup(spe);
  }

  override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
    await this.step(typeof logs?.loss === 'number' ? logs.loss : undefined);
  }

  private setup(stepsPerEpoch: number | undefined): void {
    const a = this.options;
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
    const model = this.net;
    this.partition = partitionWeights(describeModel(model), a.partition);
    if (this.partition.groups.length === 0) throw new Error('partition: no weight group to record (every layer skipped?)');
    const every = a.every !== null ? a.every * scale : null;
    const capacity = Math.floor((end - start) / k) + 1;
    // later windows (with `every`) may be shorter than the first
    const snapshots = every === null ? capacity : Math.min(capacity, Math.floor(Math.min(end - start, every) / k) + 1);
    const half = a.guard?.agreement != null ? halfWindow(snapshots) : null;
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
      dtype: a.dtype,
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
    const { record, fit } = await decideJump({
      model: this.net,
      recorder: this.recorder!,
      stride: this.stride,
      options: this.options,
      horizon: s.horizon,
      candidates: s.candidates,
      step: this.steps,
      recordMs: this.recordMs,
    });
    this.lastFit = { groups: fit.groups, operators: fit.operators, states: fit.states, stride: fit.stride, step: this.steps };
    if (record.accepted) {
      this.report.skippedSteps += record.horizon;
      this.report.effectiveSteps = this.effectiveStep;
    }
    this.report.jumps.push(record);
    if (this.options.verbose) console.log(describeJump(record));
    if (this.options.onJump) await this.options.onJump(record);
  }
}
