import type * as tf from '@tensorflow/tfjs';
import { KANN_FIT_DEFAULTS, type KannFitOptions } from '../../src/kann/index.js';

/** Decisions from read-out outputs: `rows` rows of `width` values each, row-major. */
export type DecideFn = (outputs: Float32Array, width: number, rows: number) => ArrayLike<number>;

/** Options of {@link kann}; the fit options (rank, tol, start, end, epsilon) are the engine's. Defaults in {@link KANN_DEFAULTS}. */
export interface KannArgs extends KannFitOptions {
  /**
   * The recurrent layer analysed, by name or object. It must output the hidden state at every
   * step (`returnSequences: true`). `undefined` picks the last recurrent layer with
   * `returnSequences: true`, else the last layer whose output is a sequence (rank 3). @default undefined
   */
  layer?: string | tf.layers.Layer;
  /**
   * The read-out G (Sec. 4.3): maps a batch of states [rows, dim] to the model's outputs
   * [rows, width]. Called inside tf.tidy; it must not dispose its input. `undefined` skips the
   * agreement. @default undefined
   */
  readout?: (states: tf.Tensor2D) => tf.Tensor;
  /** Decisions from read-out outputs. @default undefined: width 1 → output > 0.5, else the argmax of each row */
  decide?: DecideFn;
  /**
   * Steps the agreement compares: 'last' = one decision per sample from its last fitted state (the
   * paper's sentiment and ECG set-ups), 'all' = every predicted step of the fitted range. @default 'last'
   */
  readoutSteps?: 'last' | 'all';
  /** Eigenvectors (indices into the eigenvalues sorted by |λ|) whose projection magnitudes are returned. @default [0, 1, 2, 3] (the paper's four dominant) */
  project?: number[];
  /**
   * Fit C on the first `fitSamples` sequences only and measure e_rel and the agreement on all of
   * them (an out-of-sample check). `undefined` = fit on all. @default undefined
   */
  fitSamples?: number;
  /** Batch size of the forward pass that collects the states. @default 256 */
  batchSize?: number;
}

export const KANN_DEFAULTS = Object.freeze({
  ...KANN_FIT_DEFAULTS,
  layer: undefined as string | tf.layers.Layer | undefined,
  readout: undefined as KannArgs['readout'],
  decide: undefined as DecideFn | undefined,
  readoutSteps: 'last' as 'last' | 'all',
  project: Object.freeze([0, 1, 2, 3]) as readonly number[],
  fitSamples: undefined as number | undefined,
  batchSize: 256,
});

export type ResolvedKannArgs = { -readonly [K in keyof typeof KANN_DEFAULTS]: (typeof KANN_DEFAULTS)[K] };

const FIT_KEYS = Object.keys(KANN_FIT_DEFAULTS);
const KEYS = Object.keys(KANN_DEFAULTS);

/** Fills defaults; throws on unknown keys and bad values, naming the option. The fit options are checked by the engine. */
export function resolveKannArgs(args: KannArgs = {}): ResolvedKannArgs {
  if (args === null || typeof args !== 'object') throw new Error('kann options must be an object');
  for (const k of Object.keys(args)) if (!KEYS.includes(k)) throw new Error(`unknown kann option '${k}'; accepted: ${KEYS.join(', ')}`);
  const o = { ...KANN_DEFAULTS } as ResolvedKannArgs;
  for (const [k, v] of Object.entries(args)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  if (o.readout !== undefined && typeof o.readout !== 'function') throw new Error('readout must be a function (states [rows, dim]) => tf.Tensor');
  if (o.decide !== undefined && typeof o.decide !== 'function') throw new Error('decide must be a function (outputs, width, rows) => decisions');
  if (o.readoutSteps !== 'last' && o.readoutSteps !== 'all') throw new Error(`readoutSteps must be 'last' or 'all'; got ${String(o.readoutSteps)}`);
  if (!Array.isArray(o.project) || !o.project.every((j) => Number.isInteger(j) && j >= 0)) {
    throw new Error(`project must be an array of eigenvector indices (integers ≥ 0); got ${String(o.project)}`);
  }
  if (o.fitSamples !== undefined && (!Number.isInteger(o.fitSamples) || o.fitSamples < 1)) {
    throw new Error(`fitSamples must be an integer ≥ 1 or undefined; got ${String(o.fitSamples)}`);
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be an integer ≥ 1; got ${String(o.batchSize)}`);
  return o;
}

/** The engine's fit options out of the plugin's. */
export function fitOptionsOf(o: ResolvedKannArgs): KannFitOptions {
  return Object.fromEntries(FIT_KEYS.map((k) => [k, (o as Record<string, unknown>)[k]])) as KannFitOptions;
}
