import * as tf from '@tensorflow/tfjs';
import type { KoopmanOperator } from '../../src/koopman/operator.js';
import { FitPool } from '../../src/koopman/pool.js';
import type { ResolvedFitOptions } from '../../src/koopman/options.js';
import type { Partition } from '../../src/partition/types.js';
import { describeModel, readWeights } from '../../src/tfjs/weights.js';
import { TrajectoryRecorder } from '../../src/trajectory/recorder.js';
import { BudgetClock } from './budget.js';
import { checkGuardData, TWO_TFJS_COPIES, isLayersModelLike, trainedModel, wrongCaller } from './checks.js';
import { decideJump, JumpAborted } from './jump.js';
import { resolveKoopmanTrainingArgs, type KoopmanTrainingArgs, type ResolvedKoopmanTrainingArgs } from './options.js';
import { describeJump, type KoopmanReport } from './report.js';
import { planSchedule, type Schedule } from './schedule.js';
import { readState, writeState, type KoopmanTrainingState } from './state.js';

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
    schedule: null,
    jumps: [],
    recordedSteps: 0,
    skippedSteps: 0,
    optimizerSteps: 0,
    effectiveSteps: 0,
    bytesHeld: 0,
    spentMs: 0,
    budgetSkips: 0,
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
  /** The fit threads (`threads` > 0), started with training; a failed start is reported at the decision. */
  private pool: Promise<FitPool> | null = null;
  private flat: Float32Array | null = null;
  private schedule: Schedule | null = null;
  /** Optimizer steps taken. */
  private steps = 0;
  private windowStart = 0;
  private windowEnd = 0;
  private recording = true;
  /** The current window fits the budget (else it is neither recorded nor decided). */
  private funded = true;
  private recordMs = 0;
  /** Record every k-th step, counted back from the window end so that t2 is always a snapshot. */
  private stride = 1;
  private attachedModel: tf.LayersModel | null = null;
  /** The model the schedule was set up for; a later fit() on it goes on where the last one ended. */
  private setupFor: tf.LayersModel | null = null;
  /** fitDataset without batchesPerEpoch: steps per epoch are learned at the end of the first epoch. */
  private pendingEpochSetup = false;
  /** The model whose guard.validationData shapes were checked. */
  private guardChecked: tf.LayersModel | null = null;
  private stepsPerEpoch: number | null = null;
  /** The cost accounting against `budget`. */
  private readonly clock: BudgetClock;

  constructor(args: KoopmanTrainingArgs) {
    super();
    this.options = resolveKoopmanTrainingArgs(args);
    this.args = args;
    this.clock = new BudgetClock(this.options.budget, this.report);
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

  /**
   * Prepares a custom training loop: call before the first `afterStep`. Calling it again with the
   * same model goes on where training stopped (the schedule, window and report are kept); another
   * model, or {@link reset} first, starts afresh. `totalSteps`, the optimizer steps the loop will
   * still run, lets `budget` cover the whole run (fit() knows it; a custom loop must say).
   */
  async attach(model: tf.LayersModel, stepsPerEpoch?: number, totalSteps?: number): Promise<void> {
    if (!(this instanceof KoopmanTraining)) throw wrongCaller(this);
    if (!isLayersModelLike(model)) throw new Error('koopmanTraining.attach(model): model must be a tf.LayersModel (tf.sequential() or tf.model())');
    if (!(model instanceof tf.LayersModel)) throw new Error(TWO_TFJS_COPIES);
    this.attachedModel = model;
    if (this.guardChecked !== model && this.options.guard?.validationData) {
      checkGuardData(model, this.options.guard.validationData);
      this.guardChecked = model;
    }
    if (this.options.optimizerState === 'reset' && !this.options.optimizer && !model.optimizer) throw new Error("optimizerState 'reset' needs the optimizer the loop steps: pass it as koopmanTraining({ optimizer, … }) (or compile the model with it)");
    if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps >= 0)) throw new Error(`koopmanTraining.attach(model, stepsPerEpoch, totalSteps): totalSteps must be an integer ≥ 0; got ${totalSteps}`);
    if (!this.schedule || this.setupFor !== trainedModel(model)) this.setup(stepsPerEpoch ?? this.options.stepsPerEpoch ?? undefined, 0);
    this.clock.plan(totalSteps ?? null);
    this.clock.start();
    this.startPool();
  }

  /** Custom loop: call after every optimizer step (with that step's loss, when known). */
  async afterStep(logs: { loss?: number } = {}): Promise<void> {
    if (!this.schedule) throw new Error('koopmanTraining: call attach(model) before afterStep()');
    await this.step(logs.loss);
  }

  /** Forgets the schedule, window and report: the next fit() or attach() starts a new run. */
  reset(): void {
    void this.closePool();
    this.schedule = null;
    this.setupFor = null;
    this.attachedModel = null;
    this.guardChecked = null;
    this.pendingEpochSetup = false;
    this.recorder = null;
    this.lastFit = null;
    Object.assign(this.report, { schedule: null, jumps: [], recordedSteps: 0, skippedSteps: 0, optimizerSteps: 0, effectiveSteps: 0, bytesHeld: 0, spentMs: 0, budgetSkips: 0, notes: [] });
  }

  /** Everything needed to resume this run in a new process (plain JSON; see {@link loadStateDict}). */
  stateDict(): KoopmanTrainingState {
    return writeState({
      steps: this.steps,
      windowStart: this.windowStart,
      windowEnd: this.windowEnd,
      recording: this.recording,
      stepsPerEpoch: this.stepsPerEpoch,
      report: this.report,
      recorder: this.recorder,
    });
  }

  /**
   * Resumes a run saved by {@link stateDict}: call after `attach(model)` (custom loop) or before
   * `fit()` on a model with the same weights layout. The options must be the ones the run used.
   */
  loadStateDict(state: KoopmanTrainingState): void {
    const model = this.attachedModel ?? (this.model as tf.LayersModel | undefined);
    if (!model) throw new Error('loadStateDict: attach(model) first, or call it with the model set by fit() (setModel)');
    if (!this.schedule || this.setupFor !== trainedModel(model)) this.setup(state.stepsPerEpoch ?? this.options.stepsPerEpoch ?? undefined, 0, model);
    const r = readState(state, this.recorder!, this.partition!.totalWeights);
    this.steps = r.steps;
    this.windowStart = r.windowStart;
    this.windowEnd = r.windowEnd;
    this.recording = r.recording;
    Object.assign(this.report, r.report);
  }

  override async onTrainBegin(): Promise<void> {
    if (!(this instanceof KoopmanTraining)) throw wrongCaller(this);
    const p = this.params as { steps?: number | null; samples?: number | null; batchSize?: number | null; epochs?: number; initialEpoch?: number };
    const spe =
      this.options.stepsPerEpoch ??
      (p?.steps ? p.steps : p?.samples && p?.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
    this.attachedModel = null; // fit() hands the callback its model: that one is trained, not an attached one
    const model = this.net;
    const same = this.setupFor === trainedModel(model);
    if (this.guardChecked !== model && this.options.guard?.validationData) {
      checkGuardData(model, this.options.guard.validationData);
      this.guardChecked = model;
    }
    const initialEpoch = p?.initialEpoch ?? 0;
    if (!this.schedule || !same) {
      if (!this.pendingEpochSetup || !same) {
        if (this.options.window.unit === 'epoch' && !spe) {
          if (this.options.window.start === 0) {
            throw new Error(
              "window.unit 'epoch' with window.start 0 needs the steps per epoch before training: fitDataset() does not report them — pass stepsPerEpoch to koopmanTraining or batchesPerEpoch to fitDataset",
            );
          }
          // fitDataset without batchesPerEpoch: learn the epoch length from the first epoch.
          this.pendingEpochSetup = true;
          this.setupFor = trainedModel(model);
          this.steps = 0;
          return;
        }
        this.setup(spe, spe ? initialEpoch * spe : 0);
      }
    } else if (spe && initialEpoch * spe > this.steps) {
      this.report.notes.push(`fit() resumed at initialEpoch ${initialEpoch} (step ${initialEpoch * spe}) but ${this.steps} steps were counted: steps go on from ${this.steps}`);
    }
    const plannedEnd = spe && p?.epochs !== undefined ? this.steps + (p.epochs - initialEpoch) * spe : null;
    this.planNote(plannedEnd);
    this.clock.plan(plannedEnd !== null ? Math.max(0, plannedEnd - this.steps) : null);
    this.clock.start();
    this.startPool();
  }

  override async onBatchEnd(_batch: number, logs?: tf.Logs): Promise<void> {
    if (!(this instanceof KoopmanTraining)) throw wrongCaller(this);
    if (this.pendingEpochSetup) {
      this.steps++;
      return;
    }
    await this.step(typeof logs?.loss === 'number' ? logs.loss : undefined);
  }

  override async onEpochEnd(): Promise<void> {
    if (this.pendingEpochSetup) {
      this.pendingEpochSetup = false;
      const spe = this.steps;
      this.setup(spe, spe);
      this.report.notes.push(`steps per epoch learned from the first epoch: ${spe} (fitDataset did not report them)`);
    }
  }

  override async onTrainEnd(): Promise<void> {
    this.planNote(null);
    this.clock.plan(null);
    this.clock.stop();
    await this.closePool();
  }

  /** Starts the fit threads once (`threads` > 0); the start runs beside training. */
  private startPool(): void {
    if (this.options.threads === 0 || this.pool) return;
    this.pool = FitPool.start(this.options.threads);
    this.pool.catch(() => {}); // reported where it is awaited, at the decision
  }

  private async closePool(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.then((p) => p.close(), () => {});
  }

  /** A note when the window cannot end within the planned training (or did not, at train end). */
  private planNote(plannedEnd: number | null): void {
    const notes = this.report.notes;
    const at = notes.findIndex((n) => n.startsWith(PLAN_NOTE));
    if (at >= 0) notes.splice(at, 1);
    if (!this.schedule || this.report.jumps.length > 0 || this.windowEnd === Number.POSITIVE_INFINITY) return;
    if (plannedEnd !== null && plannedEnd < this.windowEnd) {
      notes.push(`${PLAN_NOTE}: the window ends at step ${this.windowEnd} but this fit() runs to step ${plannedEnd}; the jump is made only if training goes on (another fit() call on the same model)`);
    } else if (plannedEnd === null && this.steps < this.windowEnd) {
      notes.push(`${PLAN_NOTE}: training stopped at step ${this.steps}, before the window end (step ${this.windowEnd}): no jump was made`);
    }
  }

  private setup(stepsPerEpoch: number | undefined, initialSteps: number, forModel?: tf.LayersModel): void {
    const a = this.options;
    const model = forModel ?? this.net;
    const plan = planSchedule(a, describeModel(model), stepsPerEpoch);
    this.partition = plan.partition;
    this.schedule = plan.schedule;
    const { start, end, capacity, horizon, stride: k } = plan;
    this.recorder = new TrajectoryRecorder({
      groups: this.partition.groups,
      capacity,
      dtype: a.dtype,
    });
    this.flat = new Float32Array(this.partition.totalWeights);
    this.setupFor = trainedModel(model);
    this.stepsPerEpoch = stepsPerEpoch ?? null;
    this.steps = initialSteps;
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
      spentMs: 0,
      budgetSkips: 0,
      schedule: plan.record,
      notes: [plan.record.text, ...this.partition.notes],
    });
    this.clock.reset();
    this.funded = true;
    const uncovered = this.partition.totalWeights - this.partition.coveredWeights;
    if (uncovered > 0) this.report.notes.push(`${uncovered} of ${this.partition.totalWeights} weights are in no group and are never changed`);
    if (a.verbose) {
      console.log(`[koopman] ${plan.record.text}; horizon ${horizon}: holding ${(this.recorder.bytes / 2 ** 20).toFixed(1)} MiB`);
    }
    this.stride = k;
    if (initialSteps > start && initialSteps < end) {
      this.report.notes.push(`training starts at step ${initialSteps}, inside the window [${start}, ${end}]: the first window is recorded from there`);
    }
    if (initialSteps >= end) {
      this.report.notes.push(`training starts at step ${initialSteps}, after the window end ${end}: no jump will be made`);
      this.windowStart = this.windowEnd = Number.POSITIVE_INFINITY;
    }
    if (start === initialSteps && (end - start) % k === 0) this.recordNow();
  }

  private recordNow(): void {
    if (!this.recording || !this.funded || !this.recorder || !this.flat) return;
    const t0 = performance.now();
    readWeights(this.net, this.flat);
    try {
      if (this.recorder.record(this.steps, this.flat)) this.report.recordedSteps++;
    } catch (err) {
      this.stopRecording((err as Error).message);
    }
    const ms = performance.now() - t0;
    this.recordMs += ms;
    this.report.spentMs += ms;
  }

  private stopRecording(why: string): void {
    this.recording = false;
    this.report.notes.push(`recording stopped at step ${this.steps}: ${why}; no fit is made on this window, training goes on untouched`);
  }

  private async step(loss: number | undefined): Promise<void> {
    const s = this.schedule;
    if (!s) return;
    this.clock.stepEnded();
    try {
      await this.stepWork(s, loss);
    } finally {
      this.clock.resume();
    }
  }

  private async stepWork(s: Schedule, loss: number | undefined): Promise<void> {
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
      if (!this.funded) this.clock.skipped(this.steps);
      else if (this.recording) await this.jump();
      else this.report.notes.push(`no jump at step ${this.steps}: the window was not recorded completely`);
      this.nextWindow();
    }
  }

  private nextWindow(): void {
    const s = this.schedule!;
    if (this.funded) this.clock.windowRecorded(this.recordMs);
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
    this.funded = this.clock.fund(end - this.steps);
    if (start === this.steps && (end - start) % this.stride === 0) this.recordNow();
  }

  private async jump(): Promise<void> {
    const t0 = performance.now();
    let projectedMs: number | undefined;
    try {
      projectedMs = await this.decide();
    } finally {
      this.clock.decided(performance.now() - t0, projectedMs);
    }
  }

  /** The started fit threads, or null without `threads`; a pool that failed to start is an error naming the option. */
  private async fitPool(): Promise<FitPool | null> {
    if (this.options.threads === 0) return null;
    this.startPool();
    try {
      return await this.pool!;
    } catch (err) {
      this.pool = null;
      throw new Error(`koopmanTraining: threads ${this.options.threads}: ${(err as Error).message}`);
    }
  }

  /** Makes the decision at t2; returns what it was projected to cost when it was abandoned for the budget. */
  private async decide(): Promise<number | undefined> {
    const s = this.schedule!;
    let decided;
    try {
      decided = await decideJump({
        model: this.net, recorder: this.recorder!, stride: this.stride, options: this.options, horizon: s.horizon, candidates: s.candidates,
        bracket: s.bracket, step: this.steps, recordMs: this.recordMs, limitMs: this.clock.limit(), pool: await this.fitPool(),
      });
    } catch (err) {
      if (err instanceof JumpAborted) {
        this.report.jumps.push(err.record);
        this.report.notes.push(`the decision at step ${this.steps} failed; the next window is recorded as if it had been rejected`);
        this.nextWindow();
        throw err.cause;
      }
      throw err;
    }
    const { record, fit } = decided;
    // an abandoned decision fitted only some groups: the latest complete fit stays the one on record
    if (record.projectedMs === undefined) this.lastFit = { groups: fit.groups, operators: fit.operators, states: fit.states, stride: fit.stride, step: this.steps };
    if (record.accepted) {
      this.report.skippedSteps += record.horizon;
      this.report.effectiveSteps = this.effectiveStep;
    }
    this.report.jumps.push(record);
    if (this.options.verbose) console.log(describeJump(record));
    if (this.options.onJump) await this.options.onJump(record);
    return record.projectedMs;
  }
}

const PLAN_NOTE = 'window beyond the planned training';
