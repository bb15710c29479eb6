import * as tf from '@tensorflow/tfjs';
import { decide, initialPatience, nonFiniteWeightsVerdict, updatePatience, type Decision, type PatienceState } from './decide.js';
import { callerModel, checkMonitorModel, isLayersModelLike, keepThisAcrossCopies } from './copies.js';
import { monitorValue, neverLoggedMessage, reportMissingKey, resolveLogs, withSnakeCase, type EpochLogs } from './logs.js';
import { resolveSpectrumMonitorArgs, spectralRestarts, type ResolvedSpectrumMonitorArgs, type SpectrumMonitorArgs } from './options.js';
import { decodeState, encodeState, type RunFields, type SpectrumMonitorState } from './state.js';
import { copyWeights, holdsWeights, snapshotTrainable, writeWeights, type WeightCopy } from './weights.js';
import { sentence, trimWindow, windowSpectra } from './window-spectra.js';
import { forecastSeries } from '../../src/spectrum/forecast.js';

export type { EpochLogs };

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochEnd'] as const;

/**
 * A drop-in replacement for `tf.callbacks.earlyStopping` that also watches the Koopman (DMD)
 * spectrum of training (seed 003) and, when its `spectral` rules are on, decides each epoch to
 * continue, stop (important eigenvalues cluster at 1: a fixed point) or restart (a bad
 * initialisation). Use it in `model.fit(…, { callbacks: [monitor] })` — repeated fit() calls on
 * the same model continue one run — or from a custom loop with {@link attach} and {@link afterEpoch}.
 */
export class SpectrumMonitor extends tf.Callback {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedSpectrumMonitorArgs;
  private patienceState!: PatienceState;
  /** Monitored values of the current window (finite only), oldest first. */
  private values: number[] = [];
  /** Trainable-weight snapshots of the current window (Float32, own buffers), oldest first. */
  private weightWindow: Float32Array[] = [];
  private bestWeights: WeightCopy | null = null;
  /** The weights at the end of the last fit() whose end restored the best ones: the next fit() of the run resumes from them. */
  private resumeWeights: WeightCopy | null = null;
  private bestWeightsOmitted = false;
  private decisionList: Decision[] = [];
  private restart = false;
  private stopped: number | null = null;
  private reasonStopped: string | null = null;
  private epochsSeen = 0;
  private nextEpoch = 0;
  private warnedMissing = false;
  /** The model of the current run (continuation across fit() calls), and whether the next fit() adopts any model (after loadStateDict). */
  private runModel: unknown = null;
  private adoptNextModel = false;
  /** Added to fit()'s epoch index in a continued run (fit() counts from 0 again). null until the fit's first epoch. */
  private epochOffset: number | null = 0;
  private stoppedThisFit = false;
  private warnedForeign = false;

  constructor(args: SpectrumMonitorArgs = {}) {
    super();
    this.options = resolveSpectrumMonitorArgs(args);
    this.reset();
    keepThisAcrossCopies(this, HOOKS, (caller) => this.adoptCaller(caller));
  }

  /** Every decision of the run, one per epoch. */
  get decisions(): readonly Decision[] {
    return this.decisionList;
  }

  /** True once a decision said 'restart': re-initialise the model and train again. */
  get shouldRestart(): boolean {
    return this.restart;
  }

  /** Epoch of the stop or restart decision, null while training goes on. */
  get stoppedEpoch(): number | null {
    return this.stopped;
  }

  /** Why training ended: the stop or restart decision's reason, or the epoch budget running out (with what was restored); null while it goes on. */
  get stoppingReason(): string | null {
    return this.reasonStopped;
  }

  /** Best monitored value so far (the baseline, or ±Infinity, until it is beaten), as tfjs's `best`. */
  get best(): number {
    return this.patienceState.best;
  }

  /** Epoch of {@link best}, null while the baseline (or ±Infinity) has not been beaten. */
  get bestEpoch(): number | null {
    return this.patienceState.bestEpoch;
  }

  /** Epochs since the last improvement, as tfjs's `wait`. */
  get wait(): number {
    return this.patienceState.wait;
  }

  /**
   * The Koopman forecast of the monitored value `epochs` epochs after the last epoch seen. The
   * values of the current window are delay-embedded (depth `delays`) and fitted by a Koopman
   * operator with a constant observable (`fitKoopman` with `affine: true`, so the loss's limit is
   * represented exactly; eigenvalues outside the unit circle pulled onto it, the monitor's `rank`
   * rule); the last snapshot is evolved `epochs` steps and its newest coordinate returned. Works
   * with the spectral rules off too. null while the window holds fewer than `delays + 3` finite
   * values or when the fit fails. Cost: one DMD of an m × delays snapshot matrix (m = window
   * values − delays + 1), O(m · delays²), and O(delays²) for the step count.
   */
  forecast(epochs: number): number | null {
    if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`forecast(epochs): epochs must be an integer ≥ 0; got ${String(epochs)}`);
    return forecastSeries(this.values, this.options.delays, epochs, this.options.rank);
  }

  /** The forecast the `forecastEpochs` restart rule reads (only computed when that rule can act this epoch). */
  private forecastForRule(): { epochs: number; value: number } | null | undefined {
    const o = this.options;
    if (o.forecastEpochs === null || !spectralRestarts(o) || this.epochsSeen < o.minEpochs) return undefined;
    const value = this.forecast(o.forecastEpochs);
    return value === null ? null : { epochs: o.forecastEpochs, value };
  }

  /** Bytes held for the window (weight snapshots) and the best and resume weights. */
  get bytesHeld(): number {
    let b = 8 * this.values.length;
    for (const w of this.weightWindow) b += w.byteLength;
    for (const c of [this.bestWeights, this.resumeWeights]) if (c) for (const w of c.buffers) b += w.byteLength;
    return b;
  }

  /**
   * Starts a new run when fit() begins one: the first fit(), a fit() on another model, or one after
   * a stop. A fit() on the same model after one that ran out of epochs continues the run (same
   * patience, window, decisions and epoch count), as one longer fit() would; call {@link reset}
   * to start over.
   */
  override async onTrainBegin(): Promise<void> {
    const model = this.model as unknown;
    this.checkModel(model, 'model.fit()');
    const continuing = this.adoptNextModel || (model === this.runModel && this.epochsSeen > 0 && this.stopped === null);
    if (!continuing) this.reset();
    this.adoptNextModel = false;
    this.runModel = model;
    this.epochOffset = continuing ? null : 0;
    this.stoppedThisFit = false;
    this.reasonStopped = null;
    if (continuing && this.resumeWeights && this.bestWeights && this.model && holdsWeights(this.model, this.bestWeights)) {
      // the last fit() ended by restoring the best weights: training goes on from where it was
      writeWeights(this.model, this.resumeWeights);
    }
    this.resumeWeights = null;
    const never = neverLoggedMessage(this.options.monitor, (this.params as { metrics?: unknown } | undefined)?.metrics);
    if (never && !this.warnedMissing) {
      // a warning even when strict: a callback before this one may add the key (strict throws at the epoch it is missing)
      console.warn(never);
      this.warnedMissing = true;
    }
  }

  override async onEpochEnd(epoch: number, logs?: EpochLogs): Promise<void> {
    const resolved = await resolveLogs(logs);
    if (this.epochOffset === null) this.epochOffset = epoch < this.nextEpoch ? this.nextEpoch - epoch : 0;
    await this.step(epoch + this.epochOffset, resolved);
  }

  /**
   * With restoreBestWeights, writes the best epoch's weights back whatever ended training (a stop
   * or restart writes them at its decision; here the epoch budget running out). Custom loops call
   * it when their loop ends.
   */
  override async onTrainEnd(): Promise<void> {
    const o = this.options;
    if (!this.stoppedThisFit && this.epochsSeen > 0) {
      const last = this.nextEpoch - 1;
      let reason = `training ended after epoch ${last} without a stop (fit()'s epochs ran out)`;
      if (o.restoreBestWeights && this.model) reason = sentence(reason, this.restoreBest(last, true));
      this.reasonStopped = reason;
    }
    if (o.verbose > 0 && this.stoppedThisFit && this.stopped !== null) {
      console.log(`Epoch ${this.stopped}: ${this.restart ? 'restart requested' : 'spectrum monitor stopped training'}. ${this.reasonStopped ?? ''}`);
    }
  }

  /** Duck-typed (tf.Callback's uses instanceof, which fails for a model of another tfjs copy). */
  override setModel(model: tf.LayersModel): void {
    if (!isLayersModelLike(model)) throw new Error(`spectrumMonitor: setModel(model) needs a tf.LayersModel; got ${model === null ? 'null' : typeof model}`);
    this.model = model;
  }

  /**
   * For custom training loops: sets the model (needed for the 'weights' observable and
   * restoreBestWeights; optional otherwise) and starts a new run, like fit()'s onTrainBegin.
   */
  attach(model?: tf.LayersModel): this {
    if (model !== undefined) {
      this.checkModel(model, 'attach(model)');
      this.setModel(model);
    }
    this.reset();
    this.runModel = model ?? null;
    return this;
  }

  /**
   * For custom training loops: records one epoch and returns the decision. `logs` holds the
   * epoch's numbers; camelCase keys are also read in snake_case (`valLoss` answers `val_loss`).
   * `epoch` defaults to the number of epochs recorded since {@link attach}.
   */
  async afterEpoch(logs: { [key: string]: number }, epoch?: number): Promise<Decision> {
    if (logs === null || typeof logs !== 'object') throw new Error('afterEpoch(logs): logs must be an object such as { loss, valLoss }');
    const e = epoch ?? this.nextEpoch;
    if (!Number.isInteger(e) || e < 0) throw new Error(`afterEpoch: epoch must be an integer ≥ 0; got ${String(epoch)}`);
    return this.step(e, withSnakeCase(logs));
  }

  /** Forgets the run (patience, window, decisions, best weights): the next fit() or epoch starts a new one. */
  reset(): void {
    this.patienceState = initialPatience(this.options);
    this.values = [];
    this.weightWindow = [];
    this.bestWeights = null;
    this.resumeWeights = null;
    this.bestWeightsOmitted = false;
    this.decisionList = [];
    this.restart = false;
    this.stopped = null;
    this.reasonStopped = null;
    this.epochsSeen = 0;
    this.nextEpoch = 0;
    this.warnedMissing = false;
    this.runModel = null;
    this.adoptNextModel = false;
    this.stoppedThisFit = false;
    this.epochOffset = 0;
  }

  /**
   * The run's state as plain JSON: patience, window, decisions (without spectra) and, unless
   * `{ weights: false }`, the best weights as arrays (then `bestWeightsOmitted` says they were left out).
   * Cost O(window · weights) numbers.
   */
  stateDict(options: { weights?: boolean } = {}): SpectrumMonitorState {
    return encodeState(this.options.monitor, this.runFields(), options.weights ?? true);
  }

  /**
   * Restores a {@link stateDict}: the next fit() (on any model: a resumed process builds a new one)
   * or afterEpoch continues that run. Throws, changing nothing, when the state is malformed or
   * belongs to another monitored key.
   */
  loadStateDict(state: SpectrumMonitorState): this {
    const f = decodeState(state, this.options.monitor);
    this.reset();
    this.patienceState = f.patience;
    this.values = f.values;
    this.weightWindow = f.weightWindow;
    this.decisionList = f.decisions;
    this.restart = f.restart;
    this.stopped = f.stopped;
    this.reasonStopped = f.stoppingReason;
    this.epochsSeen = f.epochsSeen;
    this.nextEpoch = f.nextEpoch;
    this.bestWeights = f.bestWeights;
    this.bestWeightsOmitted = f.bestWeightsOmitted;
    this.resumeWeights = f.resumeWeights;
    this.adoptNextModel = f.stopped === null;
    this.epochOffset = null;
    return this;
  }

  private runFields(): RunFields {
    return {
      patience: this.patienceState,
      values: this.values,
      weightWindow: this.weightWindow,
      decisions: this.decisionList,
      restart: this.restart,
      stopped: this.stopped,
      stoppingReason: this.reasonStopped,
      epochsSeen: this.epochsSeen,
      nextEpoch: this.nextEpoch,
      bestWeights: this.bestWeights,
      bestWeightsOmitted: this.bestWeightsOmitted,
      resumeWeights: this.resumeWeights,
    };
  }

  /** A hook called by another tfjs copy's (or a plain-object) CustomCallback: take its model, or say what is wrong. */
  private adoptCaller(caller: unknown): void {
    this.model = callerModel(caller, this.model as tf.LayersModel | undefined) as tf.LayersModel;
  }

  /** Refuses a model this monitor cannot serve, saying why. */
  private checkModel(model: unknown, where: string): void {
    this.warnedForeign = checkMonitorModel(model, where, this.options.restoreBestWeights, this.warnedForeign);
  }

  /**
   * Writes the best weights back unless the weights of `epoch` (the last) are the best; with
   * `resume`, keeps the current ones for a further fit() of the run. Returns what it did, as a sentence.
   */
  private restoreBest(epoch: number, resume: boolean): string {
    const p = this.patienceState;
    if (this.bestWeights && p.bestEpoch !== null && p.bestEpoch !== epoch) {
      const model = this.requireModel('restoreBestWeights');
      if (resume) this.resumeWeights = copyWeights(model, this.resumeWeights);
      writeWeights(model, this.bestWeights);
      const restored = `Restored the weights of epoch ${p.bestEpoch} (${this.options.monitor} = ${p.best})`;
      return resume ? `${restored}; a further fit() of this run resumes from the weights of epoch ${epoch}.` : `${restored}.`;
    }
    if (p.bestEpoch === epoch) return 'The current weights are the best ones; nothing to restore.';
    if (p.bestEpoch !== null && !this.bestWeights && this.bestWeightsOmitted) {
      return `The best weights (epoch ${p.bestEpoch}) were left out of the loaded state: weights left as they are.`;
    }
    return `No epoch improved on the ${this.options.baseline !== null ? 'baseline' : 'start'}: weights left as they are.`;
  }

  private async step(epoch: number, logs: { [key: string]: number }): Promise<Decision> {
    const o = this.options;
    this.epochsSeen++;
    this.nextEpoch = epoch + 1;
    const value = monitorValue(logs, o.monitor);
    if (value === undefined) this.warnedMissing = reportMissingKey(logs, o, epoch, this.warnedMissing);
    const warmUp = epoch < o.startFromEpoch;
    let improved = false;
    if (value !== undefined && !warmUp) {
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
      const snap = snapshotTrainable(this.requireModel("observables: ['weights']"));
      if (snap.every(Number.isFinite)) this.weightWindow.push(snap);
      else {
        nonFiniteWeights = true;
        this.weightWindow = [];
      }
    }
    if (o.window === 'sliding') {
      trimWindow(this.values, o.windowSize);
      trimWindow(this.weightWindow, o.windowSize);
    }
    if (improved && o.restoreBestWeights && Number.isFinite(value)) {
      this.bestWeights = copyWeights(this.requireModel('restoreBestWeights'), this.bestWeights);
      this.bestWeightsOmitted = false;
    }

    const { spectra, pending } = windowSpectra(this.values, this.weightWindow, o);

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
        forecast: this.forecastForRule(),
      },
      o,
    );
    if (nonFiniteWeights && spectralRestarts(o) && verdict.action !== 'restart') verdict = nonFiniteWeightsVerdict(epoch);

    let reason = verdict.reason;
    if (verdict.action !== 'continue') {
      this.stopped = epoch;
      this.stoppedThisFit = true;
      if (this.model) this.model.stopTraining = true;
      if (verdict.action === 'restart') {
        this.restart = true;
        reason = sentence(reason, 'shouldRestart is now true: re-initialise the model and train again.');
      }
      if (o.restoreBestWeights) reason = sentence(reason, this.restoreBest(epoch, false));
      this.reasonStopped = reason;
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
}

