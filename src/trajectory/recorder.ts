import type { WeightGroup } from '../partition/types.js';

export type RecordDtype = 'float32' | 'float64';

export interface RecorderOptions {
  /** The groups to record (from a Partition). */
  groups: WeightGroup[];
  /** Snapshots held per group: the window length. Older snapshots are overwritten. */
  capacity: number;
  /** Record every k-th step. @default 1 */
  every?: number;
  /** Storage precision. Weights are float32 in tfjs, so float32 loses nothing. @default 'float32' */
  dtype?: RecordDtype;
}

export const DEFAULT_RECORDER = Object.freeze({ every: 1, dtype: 'float32' as RecordDtype });

/** A recorder's held window of some groups, as data (see {@link TrajectoryRecorder.share}). */
export interface SharedWindow {
  /** Each group's ring of `capacity` snapshots of `dims[j]` coordinates, snapshot-major. */
  buffers: (Float32Array | Float64Array)[];
  dims: number[];
  /** Snapshots held. */
  count: number;
  capacity: number;
  /** Ring slot of the oldest held snapshot. */
  oldest: number;
}

/**
 * Group j of a shared window as `dims[j]` rows of `count` samples, oldest first, in double
 * precision (row i, column t = coordinate i of snapshot t); writes into `out` when it is large
 * enough. O(d·count), a transpose.
 */
export function gatherRows(w: SharedWindow, j: number, out?: Float64Array): Float64Array {
  const d = w.dims[j];
  const n = w.count;
  const cap = w.capacity;
  const res = out && out.length >= d * n ? out : new Float64Array(d * n);
  const buf = w.buffers[j];
  for (let t = 0; t < n; t++) {
    const o = ((w.oldest + t) % cap) * d;
    for (let i = 0; i < d; i++) res[i * n + t] = buf[o + i];
  }
  return res;
}

/**
 * Records each group's weight vector over a bounded window (a ring of `capacity` snapshots per
 * group, each snapshot stored contiguously so that a step writes sequential memory; `rows()`
 * transposes to the coordinate-major layout the fits read).
 * Memory is fixed at construction and reported by {@link bytes} before anything is recorded.
 */
export class TrajectoryRecorder {
  readonly groups: WeightGroup[];
  readonly capacity: number;
  readonly every: number;
  readonly dtype: RecordDtype;
  /** Bytes held by the buffers, known before the first record. */
  readonly bytes: number;
  private readonly buffers: (Float32Array | Float64Array)[];
  private head = 0;
  private filled = 0;
  private steps: number[] = [];

  constructor(options: RecorderOptions) {
    const { groups, capacity } = options;
    const every = options.every ?? DEFAULT_RECORDER.every;
    const dtype = options.dtype ?? DEFAULT_RECORDER.dtype;
    if (!Array.isArray(groups) || groups.length === 0) throw new Error('recorder: groups must be a non-empty array of weight groups');
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`recorder: capacity must be an integer ≥ 2; got ${String(capacity)}`);
    if (!Number.isInteger(every) || every < 1) throw new Error(`recorder: every must be an integer ≥ 1; got ${String(every)}`);
    if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`recorder: dtype must be 'float32' or 'float64'; got ${String(dtype)}`);
    this.groups = groups;
    this.capacity = capacity;
    this.every = every;
    this.dtype = dtype;
    const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
    this.bytes = groups.reduce((a, g) => a + g.indices.length, 0) * capacity * Ctor.BYTES_PER_ELEMENT;
    // On shared memory where the runtime has it, so a fit pool's threads read the window in place.
    const memory = (bytes: number) => (typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
    this.buffers = groups.map((g) => new Ctor(memory(g.indices.length * capacity * Ctor.BYTES_PER_ELEMENT)));
  }

  /**
   * The held window of groups `gs` as plain data another thread can read without a copy (the
   * buffers are on a SharedArrayBuffer where the runtime has one): see {@link gatherRows}.
   */
  share(gs: readonly number[]): SharedWindow {
    const n = this.filled;
    return {
      buffers: gs.map((g) => this.buffers[g]),
      dims: gs.map((g) => this.groups[g].indices.length),
      count: n,
      capacity: this.capacity,
      oldest: n < this.capacity ? 0 : this.head,
    };
  }

  /** Snapshots currently held. */
  get count(): number {
    return this.filled;
  }

  /** Training steps of the held snapshots, oldest first. */
  get recordedSteps(): readonly number[] {
    return this.steps;
  }

  /** Whether `step` is one this recorder samples (every k-th step). */
  samples(step: number): boolean {
    return step % this.every === 0;
  }

  /**
   * Stores the groups' coordinates from the flat weight vector as the snapshot of `step`.
   * Non-finite weights are refused with an error naming the layer, group and step; the
   * snapshot is then not stored (earlier ones stay valid).
   */
  record(step: number, flat: ArrayLike<number>): boolean {
    if (!this.samples(step)) return false;
    const col = this.head;
    for (let g = 0; g < this.groups.length; g++) {
      const idx = this.groups[g].indices;
      const buf = this.buffers[g];
      const o = col * idx.length;
      for (let k = 0; k < idx.length; k++) {
        const v = flat[idx[k]];
        if (!(v - v === 0)) {
          const grp = this.groups[g];
          throw new Error(
            `non-finite weight (${v}) in layer ${grp.layer} (group ${grp.id}, coordinate ${k}) at step ${step}; snapshot not recorded`,
          );
        }
        buf[o + k] = v;
      }
    }
    const cap = this.capacity;
    this.head = (col + 1) % cap;
    if (this.filled < cap) this.filled++;
    this.steps.push(step);
    if (this.steps.length > cap) this.steps.shift();
    return true;
  }

  /**
   * The held snapshots of group g as `dim` rows of `count` samples, oldest first, in double
   * precision (row i, column t = coordinate i of snapshot t). Writes into `out` when given.
   */
  rows(g: number, out?: Float64Array): Float64Array {
    return gatherRows(this.share([g]), 0, out);
  }

  /** The largest change of any coordinate of group g between consecutive held snapshots (0 with fewer than 2). O(d·n). */
  largestStep(g: number): number {
    const d = this.groups[g].indices.length;
    const n = this.filled;
    const cap = this.capacity;
    const buf = this.buffers[g];
    const start = n < cap ? 0 : this.head;
    let most = 0;
    for (let t = 1; t < n; t++) {
      const a = ((start + t - 1) % cap) * d;
      const b = ((start + t) % cap) * d;
      for (let i = 0; i < d; i++) {
        const step = Math.abs(buf[b + i] - buf[a + i]);
        if (step > most) most = step;
      }
    }
    return most;
  }

  /** The newest snapshot of group g. */
  latest(g: number): Float64Array {
    if (this.filled === 0) throw new Error('recorder: nothing recorded yet');
    const d = this.groups[g].indices.length;
    const col = (this.head - 1 + this.capacity) % this.capacity;
    const out = new Float64Array(d);
    const buf = this.buffers[g];
    for (let i = 0; i < d; i++) out[i] = buf[col * d + i];
    return out;
  }

  /** Forgets every snapshot (buffers are kept). */
  reset(): void {
    this.head = 0;
    this.filled = 0;
    this.steps = [];
  }
}
