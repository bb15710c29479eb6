import type { PatienceState } from './decide.js';
import type { Action, Decision, DecisionRule } from './types.js';
import type { WeightCopy } from './weights.js';
import type * as tf from '@tensorflow/tfjs';
import { fromJsonNumber, toJsonNumber, type JsonNumber } from '../../src/linalg/finite.js';

/** A number as JSON carries it: non-finite values as strings. */
export type { JsonNumber };

export const STATE_FORMAT = 'tfjs-koopman/spectrum-monitor@1';

/** What {@link SpectrumMonitor.stateDict} returns: plain JSON (`JSON.stringify` keeps it whole). */
export interface SpectrumMonitorState {
  format: typeof STATE_FORMAT;
  /** The monitored key the state belongs to (loading into a monitor of another key is an error). */
  monitor: string;
  epochsSeen: number;
  nextEpoch: number;
  patience: { best: JsonNumber; bestEpoch: number | null; wait: number };
  /** Finite monitored values of the window, oldest first. */
  values: number[];
  /** Trainable-weight snapshots of the window (the 'weights' observable), oldest first. */
  weightWindow: number[][];
  /** Every decision, without its spectra. */
  decisions: { epoch: number; action: Action; rule: DecisionRule; reason: string; value: JsonNumber | null }[];
  shouldRestart: boolean;
  stoppedEpoch: number | null;
  stoppingReason: string | null;
  /** The best epoch's weights (restoreBestWeights), null when there are none or they were omitted. */
  bestWeights: { values: number[][]; shapes: number[][]; dtypes: string[] } | null;
  /** True when stateDict({ weights: false }) left out best weights the monitor held. */
  bestWeightsOmitted: boolean;
  /**
   * The latest weights of a run whose last fit() ended by restoring the best ones: the next fit()
   * resumes from them, in a new process too (null when there are none or weights were left out).
   */
  resumeWeights?: { values: number[][]; shapes: number[][]; dtypes: string[] } | null;
}

export { fromJsonNumber, toJsonNumber };

export function weightsToJson(w: WeightCopy): NonNullable<SpectrumMonitorState['bestWeights']> {
  return { values: w.buffers.map((b) => Array.from(b)), shapes: w.shapes.map((s) => s.slice()), dtypes: w.dtypes.slice() };
}

export function weightsFromJson(w: SpectrumMonitorState['bestWeights']): WeightCopy | null {
  if (w === null || w === undefined) return null;
  const ok =
    Array.isArray(w.values) &&
    Array.isArray(w.shapes) &&
    Array.isArray(w.dtypes) &&
    w.values.length === w.shapes.length &&
    w.values.length === w.dtypes.length &&
    w.values.every((v, i) => Array.isArray(v) && v.length === w.shapes[i].reduce((a, b) => a * b, 1));
  if (!ok) throw new Error('loadStateDict: bestWeights must hold values, shapes and dtypes of the same length, each values array the size of its shape');
  return { buffers: w.values.map((v) => Float32Array.from(v)), shapes: w.shapes.map((s) => s.slice()), dtypes: w.dtypes as tf.DataType[] };
}

/** Checks the fields a state must have before any of it is applied. */
export function checkState(state: unknown, monitor: string): asserts state is SpectrumMonitorState {
  if (state === null || typeof state !== 'object') throw new Error(`loadStateDict: state must be the object stateDict() returned; got ${String(state)}`);
  const s = state as Partial<SpectrumMonitorState>;
  if (s.format !== STATE_FORMAT) throw new Error(`loadStateDict: state.format must be '${STATE_FORMAT}'; got ${JSON.stringify(s.format)}`);
  if (s.monitor !== monitor) throw new Error(`loadStateDict: the state monitors '${String(s.monitor)}' but this monitor watches '${monitor}'`);
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!int(s.epochsSeen) || !int(s.nextEpoch)) throw new Error('loadStateDict: epochsSeen and nextEpoch must be integers ≥ 0');
  if (!s.patience || !int(s.patience.wait)) throw new Error('loadStateDict: patience must be { best, bestEpoch, wait } with wait an integer ≥ 0');
  if (!Array.isArray(s.values) || !s.values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error('loadStateDict: values must be an array of finite numbers');
  }
  if (!Array.isArray(s.weightWindow) || !Array.isArray(s.decisions)) throw new Error('loadStateDict: weightWindow and decisions must be arrays');
}

/** The run a monitor holds, as its fields. */
export interface RunFields {
  patience: PatienceState;
  values: number[];
  weightWindow: Float32Array[];
  decisions: Decision[];
  restart: boolean;
  stopped: number | null;
  stoppingReason: string | null;
  epochsSeen: number;
  nextEpoch: number;
  bestWeights: WeightCopy | null;
  bestWeightsOmitted: boolean;
  resumeWeights: WeightCopy | null;
}

/** The fields as plain JSON (copies). Cost O(window · weights) numbers. */
export function encodeState(monitor: string, f: RunFields, withWeights: boolean): SpectrumMonitorState {
  return {
    format: STATE_FORMAT,
    monitor,
    epochsSeen: f.epochsSeen,
    nextEpoch: f.nextEpoch,
    patience: { best: toJsonNumber(f.patience.best), bestEpoch: f.patience.bestEpoch, wait: f.patience.wait },
    values: f.values.slice(),
    weightWindow: f.weightWindow.map((w) => Array.from(w)),
    decisions: f.decisions.map((d) => ({ epoch: d.epoch, action: d.action, rule: d.rule, reason: d.reason, value: d.value === null ? null : toJsonNumber(d.value) })),
    shouldRestart: f.restart,
    stoppedEpoch: f.stopped,
    stoppingReason: f.stoppingReason,
    bestWeights: withWeights && f.bestWeights ? weightsToJson(f.bestWeights) : null,
    bestWeightsOmitted: f.bestWeightsOmitted || (!withWeights && f.bestWeights !== null),
    resumeWeights: withWeights && f.resumeWeights ? weightsToJson(f.resumeWeights) : null,
  };
}

/** Checks a state and returns its fields (decisions without spectra); throws before anything is returned. */
export function decodeState(state: unknown, monitor: string): RunFields {
  checkState(state, monitor);
  const bestWeights = weightsFromJson(state.bestWeights);
  const decisions: Decision[] = state.decisions.map((d) => ({
    epoch: d.epoch,
    action: d.action,
    rule: d.rule,
    reason: d.reason,
    value: d.value === null ? null : fromJsonNumber(d.value, 'decision value'),
    spectrum: null,
    spectra: {},
  }));
  return {
    patience: { best: fromJsonNumber(state.patience.best, 'patience.best'), bestEpoch: state.patience.bestEpoch, wait: state.patience.wait },
    values: state.values.slice(),
    weightWindow: state.weightWindow.map((w) => Float32Array.from(w)),
    decisions,
    restart: state.shouldRestart,
    stopped: state.stoppedEpoch,
    stoppingReason: state.stoppingReason,
    epochsSeen: state.epochsSeen,
    nextEpoch: state.nextEpoch,
    bestWeights,
    bestWeightsOmitted: state.bestWeightsOmitted,
    resumeWeights: weightsFromJson(state.resumeWeights ?? null),
  };
}
