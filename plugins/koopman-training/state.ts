import { fromJsonNumber, toJsonNumber } from '../../src/linalg/finite.js';
import type { TrajectoryRecorder } from '../../src/trajectory/recorder.js';
import type { KoopmanReport } from './report.js';

/**
 * A Koopman-training run as plain JSON (`kt.stateDict()`): the step count, the current window and
 * the snapshots recorded in it, and the report (its NaN and ±Infinity kept as the strings 'NaN',
 * 'Infinity', '-Infinity', since JSON has no such numbers).
 */
export interface KoopmanTrainingState {
  version: 1;
  steps: number;
  /** null stands for "no further window" (Infinity). */
  windowStart: number | null;
  windowEnd: number | null;
  recording: boolean;
  stepsPerEpoch: number | null;
  report: KoopmanReport;
  /** The held snapshots: their steps, and per group its coordinates snapshot by snapshot (oldest first). */
  window: { steps: number[]; groups: { id: string; values: number[][] }[] } | null;
}

interface Fields {
  steps: number;
  windowStart: number;
  windowEnd: number;
  recording: boolean;
  stepsPerEpoch: number | null;
  report: KoopmanReport;
  recorder: TrajectoryRecorder | null;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Writes a run's state. Cost O(weights recorded × snapshots held). */
export function writeState(f: Fields): KoopmanTrainingState {
  let window: KoopmanTrainingState['window'] = null;
  const rec = f.recorder;
  if (rec && rec.count > 0) {
    const n = rec.count;
    window = {
      steps: [...rec.recordedSteps],
      groups: rec.groups.map((g, gi) => {
        const d = g.indices.length;
        const rows = rec.rows(gi);
        return { id: g.id, values: Array.from({ length: n }, (_, t) => Array.from({ length: d }, (_, i) => rows[i * n + t])) };
      }),
    };
  }
  return {
    version: 1,
    steps: f.steps,
    windowStart: finiteOrNull(f.windowStart),
    windowEnd: finiteOrNull(f.windowEnd),
    recording: f.recording,
    stepsPerEpoch: f.stepsPerEpoch,
    report: JSON.parse(JSON.stringify(f.report, (_k, v) => (typeof v === 'number' ? toJsonNumber(v) : v))) as KoopmanReport,
    window,
  };
}

/**
 * Reads a state into a recorder set up for the same partition (its held snapshots are replaced) and
 * returns the scalar fields. Errors name what does not match.
 */
export function readState(
  state: KoopmanTrainingState,
  recorder: TrajectoryRecorder,
  totalWeights: number,
): Omit<Fields, 'recorder' | 'stepsPerEpoch'> {
  if (!state || state.version !== 1) throw new Error(`loadStateDict: not a koopmanTraining state (version ${String(state?.version)}; expected 1)`);
  recorder.reset();
  const w = state.window;
  if (w) {
    if (w.groups.length !== recorder.groups.length || w.groups.some((g, i) => g.id !== recorder.groups[i].id)) {
      throw new Error(`loadStateDict: the state's ${w.groups.length} weight groups do not match this model's ${recorder.groups.length} (different model or partition)`);
    }
    const flat = new Float32Array(totalWeights);
    w.steps.forEach((step, t) => {
      recorder.groups.forEach((g, gi) => {
        const v = w.groups[gi].values[t];
        if (!v || v.length !== g.indices.length) throw new Error(`loadStateDict: group ${g.id} snapshot ${t} has ${v?.length} values, expected ${g.indices.length}`);
        for (let i = 0; i < v.length; i++) flat[g.indices[i]] = v[i];
      });
      recorder.record(step, flat);
    });
  }
  // the report's numbers: NaN and ±Infinity were written as strings
  const report = JSON.parse(JSON.stringify(state.report), (k, v) =>
    v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? fromJsonNumber(v, `report.${k}`) : v,
  ) as KoopmanReport;
  return {
    steps: state.steps,
    windowStart: state.windowStart ?? Number.POSITIVE_INFINITY,
    windowEnd: state.windowEnd ?? Number.POSITIVE_INFINITY,
    recording: state.recording,
    report,
  };
}
