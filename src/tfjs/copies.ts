import * as tf from '@tensorflow/tfjs';

/**
 * The two ways tfjs can call a plugin's hooks with a `this` that is not the plugin, and what to
 * say: (1) another copy of @tensorflow/tfjs (the library installed as an npm `file:` link resolves
 * its own), whose `instanceof` checks fail on this copy's classes, so fit() wraps the plugin in
 * that copy's CustomCallback; (2) one copy, but a plain-object callback first in `callbacks`,
 * after which fit() wraps every element as a plain-object callback.
 */

/** Duck-typed: has what the plugins use of a LayersModel (safe across tfjs copies). */
export function isLayersModelLike(m: unknown): m is tf.LayersModel {
  if (m === null || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  return typeof o.getWeights === 'function' && typeof o.setWeights === 'function' && 'stopTraining' in o;
}

/** A model of another tfjs copy: it quacks like a LayersModel but is not this copy's. */
export function isForeignModel(m: unknown): boolean {
  return isLayersModelLike(m) && !(m instanceof tf.LayersModel);
}

/** Two tfjs copies: what is wrong and how to fix it, for `who` ('koopmanTraining', 'spectrumMonitor'). */
export function twoTfjsCopiesMessage(who: string, where = 'the model and this library use two different copies of @tensorflow/tfjs'): string {
  return (
    `${who}: ${where}: the model comes from a different copy of @tensorflow/tfjs than the one tfjs-koopman loaded. ` +
    'This happens when tfjs-koopman is installed as a link (an npm "file:" dependency), so the library resolves its own node_modules/@tensorflow/tfjs. ' +
    'Fix: install it as a copy — `npm install --install-links <path-to-tfjs-koopman>`, a packed tarball (`npm pack`) or the registry — ' +
    "so that one @tensorflow/tfjs (tfjs-koopman's peer dependency) serves both; `npm ls @tensorflow/tfjs` lists the copies."
  );
}

/** One tfjs copy, a plain-object callback first in `callbacks`: what to do. */
export function wrappedAsPlainObjectMessage(who: string): string {
  return (
    `${who}: tfjs called the callback through a tf.CustomCallback: fit() keeps callbacks as they are only when the first one in ` +
    '`callbacks` is a tf.Callback, and otherwise wraps every element as a plain-object callback. ' +
    'Put the plugin first in `callbacks`, or wrap your plain-object callbacks with `new tf.CustomCallback({...})`.'
  );
}

/** The error for a hook called by `caller` instead of the plugin itself. */
export function wrongCallerError(who: string, caller: unknown): Error {
  return new Error(caller instanceof tf.CustomCallback ? wrappedAsPlainObjectMessage(who) : twoTfjsCopiesMessage(who));
}
