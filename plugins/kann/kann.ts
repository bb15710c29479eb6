import * as tf from '@tensorflow/tfjs';
import type { Complex } from '../../src/linalg/complex.js';
import {
  agreement as agreementOf,
  countAbove,
  fitKann,
  kannStates,
  memoryHorizons,
  projectionMagnitudes,
  relativeError,
  type HiddenStates,
  type KannFit,
} from '../../src/kann/index.js';
import { collectHiddenStates, findSequenceLayer } from './collect.js';
import { fitOptionsOf, resolveKannArgs, type DecideFn, type KannArgs, type ResolvedKannArgs } from './options.js';

/** Everything {@link kann} measures on one batch of sequences. */
export interface KannReport {
  /** Name of the layer analysed. */
  layer: string;
  /** The hidden states H [samples, steps, units] (float32, as the model computed them). */
  states: HiddenStates;
  /** The fitted operator: basis, C, eigenpairs (sorted by |λ|), rank, condition, residuals. */
  fit: KannFit;
  eigenvalues: Complex[];
  /** τⱼ(ε) of every eigenvalue, same order (Infinity for |λ| ≥ 1). */
  horizons: number[];
  /** Count of |λ| > 0.99 (the paper's dominant eigenvalues). */
  eigenAbove099: number;
  /** s(j, hₜ) (eq. 10) for j in `project`: data[(s·steps + t)·which.length + q]. */
  projections: { which: number[]; data: Float64Array };
  /** One-step KANN states h^KANN (eq. 6), same layout as `states`. */
  kannStates: Float64Array;
  /** e_rel (eq. 12) over the predicted steps of the fitted range, of every sequence given, and how many states it averaged. */
  eRel: number;
  eRelCount: number;
  /** Share of equal read-out decisions on h^KANN and h; null without a readout. */
  agreement: number | null;
  /** The decisions compared (null without a readout). */
  decisions: { true: number[]; kann: number[] } | null;
}

/**
 * KANN, the Koopman analysis of a trained sequence model (seed 001): collects the hidden-state
 * sequences of `layer` on `inputs`, fits C in the truncated-SVD basis, and returns its eigenvalues,
 * eigenvectors, memory horizons, projection magnitudes, the KANN-evolved states, e_rel and (with a
 * `readout`) the agreement of the read-out on h^KANN with the read-out on h.
 * Disposes every tensor it creates and never the inputs.
 */
export function kann(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], args: KannArgs = {}): KannReport {
  const o = resolveKannArgs(args);
  const layer = findSequenceLayer(model, o.layer);
  const states = collectHiddenStates(model, inputs, layer, o.batchSize);
  return analyseStates(states, o, layer.name);
}

/** The analysis on states already collected (the part of {@link kann} after the forward pass). */
export function analyseStates(states: HiddenStates, args: KannArgs | ResolvedKannArgs, layerName = ''): KannReport {
  const o = resolveKannArgs(args as KannArgs);
  let fitOn = states;
  if (o.fitSamples !== undefined) {
    if (o.fitSamples > states.samples) throw new Error(`fitSamples ${o.fitSamples} exceeds the ${states.samples} sequences given`);
    const n = o.fitSamples * states.steps * states.dim;
    const d = states.data;
    const head = ArrayBuffer.isView(d) ? (d as Float32Array).subarray(0, n) : Array.prototype.slice.call(d, 0, n);
    fitOn = { ...states, samples: o.fitSamples, data: head as ArrayLike<number> };
  }
  const fit = fitKann(fitOn, fitOptionsOf(o));
  const which = o.project.filter((j) => j < fit.rank);
  const pred = kannStates(fit, states);
  const from = Math.max(1, fit.start + 1);
  const e = relativeError(pred, states, from, fit.end);
  let decisions: KannReport['decisions'] = null;
  if (o.readout) {
    const steps = o.readoutSteps === 'last' ? [fit.end - 1] : Array.from({ length: fit.end - from }, (_, i) => from + i);
    decisions = {
      true: decide(o.readout, o.decide, gather(states.data, states, steps)),
      kann: decide(o.readout, o.decide, gather(pred, states, steps)),
    };
  }
  return {
    layer: layerName,
    states,
    fit,
    eigenvalues: fit.eigenvalues,
    horizons: memoryHorizons(fit.eigenvalues, o.epsilon),
    eigenAbove099: countAbove(fit.eigenvalues, 0.99),
    projections: { which, data: projectionMagnitudes(fit, states, which) },
    kannStates: pred,
    eRel: e.eRel,
    eRelCount: e.count,
    agreement: decisions ? agreementOf(decisions.true, decisions.kann) : null,
    decisions,
  };
}

/** Rows (sample-major, then step) of the states at `steps`, as a Float32Array [rows, dim]. */
function gather(data: ArrayLike<number>, h: HiddenStates, steps: number[]): { rows: Float32Array; n: number; dim: number } {
  const n = h.samples * steps.length;
  const rows = new Float32Array(n * h.dim);
  let r = 0;
  for (let s = 0; s < h.samples; s++) {
    for (const t of steps) {
      const o = (s * h.steps + t) * h.dim;
      for (let i = 0; i < h.dim; i++) rows[r * h.dim + i] = data[o + i];
      r++;
    }
  }
  return { rows, n, dim: h.dim };
}

function decide(readout: NonNullable<KannArgs['readout']>, fn: DecideFn | undefined, x: { rows: Float32Array; n: number; dim: number }): number[] {
  const { values, width } = tf.tidy(() => {
    const out = readout(tf.tensor2d(x.rows, [x.n, x.dim]));
    const w = out.size / x.n;
    return { values: out.dataSync() as Float32Array, width: w };
  });
  if (!Number.isInteger(width)) throw new Error(`readout returned ${values.length} values for ${x.n} states: not a whole number per state`);
  if (fn) return Array.from(fn(values, width, x.n));
  const out: number[] = [];
  for (let i = 0; i < x.n; i++) {
    if (width === 1) out.push(values[i] > 0.5 ? 1 : 0);
    else {
      let best = 0;
      for (let c = 1; c < width; c++) if (values[i * width + c] > values[i * width + best]) best = c;
      out.push(best);
    }
  }
  return out;
}
