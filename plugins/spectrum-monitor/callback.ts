import * as tf from '@tensorflow/tfjs';
import { decide, initialPatience, updatePatience, type Decision, type PatienceState } from './decide.js';
import { resolveSpectrumMonitorArgs, type Observable, type ResolvedSpectrumMonitorArgs, type SpectrumMonitorArgs } from './options.js';
import { seriesSpectrum, weightSpectrum, type SpectrumSummary } from '../../src/spectrum/spectrum.js';

/** Epoch logs as fit() passes them: numbers or scalar tensors. */
export type EpochLogs = { [key: string]: number | tf.Scalar };

/**
 * A drop-in replacement for `tf.callbacks.earlyStopping` that also watches the Koopman (DMD)
 * spectrum of training (seed 003) and decides each epoch to continue, stop (important eigenvalues
 * cluster at 1: a fixed point) or restart (a bad initialisation). Use it in `model.fit(…,
 * { callbacks: [monitor] })`, or from a custom loop with {@link attach} and {@link afterEpoch}.
 */
export class SpectrumMonitor extends tf.Callback {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedSpectrumMonitorArgs;
  private patienceState!: PatienceState;
  /** Monitored values of the current window (finite only), oldest first. */
  private values: number[] = [];
  /** Trainable-weight snapshots of the current window (Float32, own buffers), oldest first. */
  private weightWindow: Float32Array[] = [];
  private bestWeights: { buffers: Float32Array[]; shapes: number[][]; dtypes: tf.DataType[] } | null = null;
  private decisionList: Decision[] = [];
  private restart = false;
  private stopped: number | null = null;
  private epochsSeen = 0;
  private nextEpoch = 0;
  private warnedMissing = false;

  constructor(args: SpectrumMonitorArgs = {}) {
    super();
    this.options = resolveSpectrumMonitorArgs(args);
    this.reset();
  }

  /** Every decision since training began, one per epoch. */
  get decisions(): readonly Decision[] {
    return this.decisionList;
  }

  /** True once a decision said 'restart': re-initialise the model and train again. */
  get shouldRestart(): boolean {
    return this.restart;
  }

  /** Epoch of the latest stop or restart decision, null while training goes on. */
  get stoppedEpoch(): number | null {
    return this.stopped;
  }

  /** Best monitored value so far and its epoch (null until the baseline/±∞ is beaten). */
  get best(): { epoch: number; value: number } | null {
    const p = this.patienceState;
    return p.bestEpoch === null ? null : { epoch: p.bestEpoch, value: p.best };
  }

  /** Bytes held for the window (weight snapshots) and the best weights. */
  get bytesHeld(): number {
    let b = 8 * this.values.length;
    for (const w of this.weightWindow) b += w.byteLength;
    if (this.bestWeights) for (const w of this.bestWeights.buffers) b += w.byteLength;
    return b;
  }

  override async onTrainBegin(): Promise<void> {
    this.reset();
  }

  override async onEpochEnd(epoch: number, logs?: EpochLogs): Promise<void> {
    const resolved = await resolveLogs(logs);
    await this.step(epoch, resolved);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.options.verbose > 0 && this.stopped !== null) {
      const last = this.decisionList[this.decisionList.length - 1];
      console.log(`Epoch ${this.stopped}: ${this.restart ? 'restart requested' : 'spectrum monitor stopped training'}. ${last ? last.reason : ''}`);
    }
  }

  /**
   * For custom training loops: sets the model (needed for the 'weights' observable and
   * restoreBestWeights; optional otherwise) and starts a new run, like fit()'s onTrainBegin.
   */
  attach(model?: tf.LayersModel): this {
    if (model !== undefined) this.setModel(model);
    this.reset();
    return this;
  }

  /**
   * For custom training loops: records one epoch and returns the decision. `logs` holds the
   * epoch's numbers; camelCase keys are also read in snake_case (`valLoss` answers `val_loss`).
   * `epoch` defaults to the number of epochs recorded since {@link attach}.
   */
  async afterEpoch(logs: { [key: string]: number }, epoch?: number): Promise<Decision> {
    if (logs === null || typeof logs !== 'object') throw new Error('afterEpoch(logs): logs must be an object such as { loss, valLoss }');
    const named: { [key: string]: number } = { ...logs };
    for (const [k, v] of Object.entries(logs)) {
      const snake = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (!(snake in named)) named[snake] = v;
    }
    const e = epoch ?? this.nextEpoch;
    if (!Number.isInteger(e) || e < 0) throw new Error(`afterEpoch: epoch must be an integer ≥ 0; got ${String(epoch)}`);
    return this.step(e, named);
  }

  private reset(): void {
    this.patienceState = initialPatience(this.options);
    this.values = [];
    this.weightWindow = [];
    this.bestWeights = null;
    this.decisionList = [];
    this.restart = false;
    this.stopped = null;
    this.epochsSeen = 0;
    this.nextEpoch = 0;
    this.warnedMissing = false;
  }

  private async step(epoch: number, logs: { [key: string]: number }): Promise<Decision> {
    const o = this.options;
    this.epochsSeen++;
    this.nextEpoch = epoch + 1;
    const raw = logs[o.monitor];
    const value = typeof raw === 'number' ? raw : undefined;
    if (value === undefined && !this.warnedMissing) {
      this.warnedMissing = true;
      console.warn(`spectrumMonitor: ${o.monitor} is not in the logs; available: ${Object.keys(logs).join(', ') || 'none'}`);
    }
    let improved = false;
    if (value !== undefined) {
      const u = updatePatience(this.patienceState, value, epoch, o);
      this.patienceState = u.state;
      improved = u.improved;
    }

    // Record the window. Non-finite data are never fitted: they clear the window instead.
    let nonFiniteWeights = false;
    if (value !== undefined) {
      if (Number.isFinite(value)) this.values.push(value);
      else this.values = [];
    }
    if (o.observables.includes('weights')) {
      const snap = this.snapshotTrainable();
      if (snap.every(Number.isFinite)) this.weightWindow.push(snap);
      else {
        nonFiniteWeights = true;
        this.weightWindow = [];
      }
    }
    if (o.window === 'sliding') {
      if (this.values.length > o.windowSize) this.values.splice(0, this.values.length - o.windowSize);
      if (this.weightWindow.length > o.windowSize) this.weightWindow.splice(0, this.weightWindow.length - o.windowSize);
    }
    if (improved && o.restoreBestWeights && Number.isFinite(value)) this.snapshotBest();

    const spectra: Partial<Record<Observable, SpectrumSummary>> = {};
    const pending: Partial<Record<Observable, string>> = {};
    for (const k of o.observables) {
      try {
        if (k === 'loss') {
          const need = o.delays + 2;
          if (this.values.length < need) pending.loss = `needs ${need} finite values of ${o.monitor} in the window, has ${this.values.length}`;
          else spectra.loss = seriesSpectrum(this.values, o.delays, o);
        } else {
          if (this.weightWindow.length < 3) pending.weights = `needs 3 weight snapshots in the window, has ${this.weightWindow.length}`;
          else spectra.weights = weightSpectrum(this.weightWindow, o);
        }
      } catch (err) {
        pending[k] = (err as Error).message;
      }
    }

    let verdict = decide(
      {
        epoch,
        epochsSeen: this.epochsSeen,
        value,
        available: Object.keys(logs),
        patience: this.patienceState,
        improved,
        windowStartValue: this.values.length > 0 ? this.values[0] : null,
        spectra,
        pending,
      },
      o,
    );
    if (nonFiniteWeights && verdict.action !== 'restart') {
      verdict = {
        action: 'restart',
        rule: 'non-finite',
        reason: `the weights contain a non-finite value at epoch ${epoch}: training diverged; re-initialise the weights (a lower learning rate may help)`,
      };
    }

    let reason = verdict.reason;
    if (verdict.action !== 'continue') {
      this.stopped = epoch;
      if (this.model) this.model.stopTraining = true;
      if (verdict.action === 'restart') {
        this.restart = true;
        reason = sentence(reason, 'shouldRestart is now true: re-initialise the model and train again.');
      } else if (o.restoreBestWeights) {
        const best = this.patienceState;
        if (this.bestWeights && best.bestEpoch !== null && best.bestEpoch !== epoch) {
          this.restoreBest();
          reason = sentence(reason, `Restored the weights of epoch ${best.bestEpoch} (${o.monitor} = ${best.best}).`);
        } else if (best.bestEpoch === epoch) {
          reason = sentence(reason, 'The current weights are the best ones; nothing to restore.');
        } else {
          reason = sentence(reason, `No epoch improved on the ${o.baseline !== null ? 'baseline' : 'start'}: weights left as they are.`);
        }
      }
    }
    const decision: Decision = {
      epoch,
      action: verdict.action,
      rule: verdict.rule,
      reason,
      value: value ?? null,
      spectrum: spectra[o.observables[0]] ?? null,
      spectra,
    };
    this.decisionList.push(decision);
    if (o.verbose >= 2 || (o.verbose >= 1 && decision.action !== 'continue')) {
      console.log(`Epoch ${epoch}: ${decision.action} — ${decision.reason}`);
    }
    if (o.onDecision) await o.onDecision(decision);
    return decision;
  }

  private requireModel(why: string): tf.LayersModel {
    if (!this.model) {
      throw new Error(`${why} needs the model: use the monitor in model.fit({ callbacks }) or call attach(model) first`);
    }
    return this.model;
  }

  /** The trainable weights, flattened into a new Float32Array (the live variables are only read). */
  private snapshotTrainable(): Float32Array {
    const live = this.requireModel("observables: ['weights']").getWeights(true);
    let total = 0;
    for (const w of live) total += w.size;
    const out = new Float32Array(total);
    let off = 0;
    for (const w of live) {
      out.set(w.dataSync() as ArrayLike<number>, off);
      off += w.size;
    }
    return out;
  }

  /** Copies every weight (trainable or not) into this monitor's own buffers, reused across epochs. */
  private snapshotBest(): void {
    const live = this.requireModel('restoreBestWeights').getWeights();
    if (!this.bestWeights || this.bestWeights.buffers.length !== live.length || live.some((w, i) => w.size !== this.bestWeights!.buffers[i].length)) {
      this.bestWeights = {
        buffers: live.map((w) => new Float32Array(w.size)),
        shapes: live.map((w) => w.shape.slice()),
        dtypes: live.map((w) => w.dtype),
      };
    }
    live.forEach((w, i) => this.bestWeights!.buffers[i].set(w.dataSync() as ArrayLike<number>));
  }

  /** Writes the best weights back; the tensors made for it are disposed (the variables keep copies). */
  private restoreBest(): void {
    const model = this.requireModel('restoreBestWeights');
    const b = this.bestWeights!;
    const tensors = b.buffers.map((buf, i) => tf.tensor(buf.slice(), b.shapes[i], b.dtypes[i]));
    try {
      model.setWeights(tensors);
    } finally {
      for (const t of tensors) t.dispose();
    }
  }
}

/** Appends a sentence to a reason, ending the reason with a full stop first. */
function sentence(reason: string, extra: string): string {
  return `${reason}${reason.endsWith('.') ? '' : '.'} ${extra}`;
}

/** Like tfjs's resolveScalarsInLogs: scalar tensors become numbers and are disposed. */
async function resolveLogs(logs?: EpochLogs): Promise<{ [key: string]: number }> {
  if (!logs) return {};
  for (const key of Object.keys(logs)) {
    const v = logs[key];
    if (typeof v !== 'number') {
      const data = await v.data();
      logs[key] = data[0] as number;
      v.dispose();
    }
  }
  return logs as { [key: string]: number };
}
