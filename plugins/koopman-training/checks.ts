import * as tf from '@tensorflow/tfjs';
import { twoTfjsCopiesMessage, wrappedAsPlainObjectMessage, wrongCallerError } from '../../src/tfjs/copies.js';

export { isLayersModelLike } from '../../src/tfjs/copies.js';

/** What to say when fit() belongs to another copy of @tensorflow/tfjs than this library's. */
export const TWO_TFJS_COPIES = twoTfjsCopiesMessage('koopmanTraining');

/** What to say when tfjs wrapped the callback as a plain-object callback (one tfjs copy). */
export const WRAPPED_AS_PLAIN_OBJECT = wrappedAsPlainObjectMessage('koopmanTraining');

/** The error for a hook called with a `this` that is not the plugin. */
export function wrongCaller(caller: unknown): Error {
  return wrongCallerError('koopmanTraining', caller);
}

/** Duck-typed tensor check (safe across tfjs copies). */
export function isTensorLike(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && Array.isArray((x as tf.Tensor).shape) && typeof (x as tf.Tensor).dtype === 'string' && typeof (x as tf.Tensor).dataSync === 'function';
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `a plain array of length ${v.length}`;
  if (v === null) return 'null';
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v)})` : `${typeof v} ${String(v).slice(0, 40)}`;
}

/** x or y of guard.validationData: a tensor, or an array of tensors (multi-input/-output models). */
function tensors(v: unknown, which: 'x' | 'y'): tf.Tensor[] {
  const list = Array.isArray(v) && v.every(isTensorLike) && v.length > 0 ? (v as tf.Tensor[]) : isTensorLike(v) ? [v] : null;
  if (!list) {
    throw new Error(`guard.validationData: ${which} must be a tf.Tensor (or an array of tensors for a multi-input model); got ${describeValue(v)} — wrap it with tf.tensor(...)`);
  }
  return list;
}

/** Checks guard.validationData's form before any model is known. */
export function checkGuardDataForm(data: unknown): void {
  if (!Array.isArray(data) || data.length !== 2) throw new Error('guard.validationData must be [x, y]');
  tensors(data[0], 'x');
  tensors(data[1], 'y');
}

/**
 * Checks guard.validationData against the model at the start of training: as many inputs and
 * outputs as the model has, each of the model's shape (batch axis aside), one sample count.
 */
export function checkGuardData(model: tf.LayersModel, data: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]]): void {
  const xs = tensors(data[0], 'x');
  const ys = tensors(data[1], 'y');
  const side = (list: tf.Tensor[], shapes: (number | null)[][], which: string) => {
    if (list.length !== shapes.length) {
      throw new Error(`guard.validationData: the model has ${shapes.length} ${which}(s), validationData gives ${list.length}`);
    }
    list.forEach((t, i) => {
      const want = shapes[i];
      const ok = t.shape.length === want.length && want.every((d, k) => k === 0 || d === null || d === t.shape[k]);
      if (!ok) {
        throw new Error(`guard.validationData: ${which} ${i} has shape [${t.shape.join(', ')}] but the model expects [${want.map((d) => (d === null ? 'batch' : d)).join(', ')}]`);
      }
    });
  };
  side(xs, model.inputs.map((t) => t.shape), 'input');
  if (ys.length !== model.outputs.length) {
    throw new Error(`guard.validationData: the model has ${model.outputs.length} output(s), validationData gives ${ys.length}`);
  }
  const n = xs[0].shape[0];
  for (const t of [...xs, ...ys]) {
    if (t.shape[0] !== n) throw new Error(`guard.validationData: x and y must hold the same number of samples; got ${n} and ${t.shape[0]}`);
  }
  if (!(n > 0)) throw new Error('guard.validationData holds no samples');
  // The targets' shape depends on the loss (sparse cross-entropy takes [n, 1] labels for [n, k]
  // outputs): let the model's own evaluate judge one sample, and name the option if it fails.
  if (model.optimizer === undefined && !(model as unknown as { isCompiled?: boolean }).isCompiled) return;
  const one = (ts: tf.Tensor[]) => ts.map((t) => t.slice(0, 1));
  const x1 = one(xs);
  const y1 = one(ys);
  try {
    const out = model.evaluate(x1.length === 1 ? x1[0] : x1, y1.length === 1 ? y1[0] : y1, { batchSize: 1 });
    tf.dispose(out as tf.Tensor | tf.Tensor[]);
  } catch (err) {
    throw new Error(`guard.validationData: model.evaluate refuses its first sample: ${(err as Error).message.split('\n')[0]}`);
  } finally {
    tf.dispose([...x1, ...y1]);
  }
}

/** The model fit() trains: a tf.Sequential trains (and hands callbacks) its inner LayersModel. */
export function trainedModel(m: tf.LayersModel): tf.LayersModel {
  const inner = (m as unknown as { model?: unknown }).model;
  return inner instanceof tf.LayersModel ? inner : m;
}
