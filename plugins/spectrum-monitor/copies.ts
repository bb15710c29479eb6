import * as tf from '@tensorflow/tfjs';

/**
 * Two copies of tfjs: a project that depends on tfjs-koopman through an npm `file:` link resolves
 * the library's own node_modules/@tensorflow/tfjs beside its own. The model then belongs to a copy
 * whose `instanceof` checks fail on this library's classes: fit() wraps the monitor in that copy's
 * CustomCallback and calls its methods with the wrong `this`.
 */

/** Duck-typed: has what the monitor uses of a LayersModel (getWeights, setWeights, stopTraining). */
export function isLayersModelLike(m: unknown): m is tf.LayersModel {
  if (m === null || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  return typeof o.getWeights === 'function' && typeof o.setWeights === 'function' && 'stopTraining' in o;
}

/** A model of another tfjs copy: it quacks like a LayersModel but is not this copy's. */
export function isForeignModel(m: unknown): boolean {
  return isLayersModelLike(m) && !(m instanceof tf.LayersModel);
}

/** What is wrong and how to fix it, after a sentence saying where it was found. */
export function twoCopiesMessage(where: string): string {
  return (
    `spectrumMonitor: ${where}: the model comes from a different copy of @tensorflow/tfjs than the one tfjs-koopman loaded. ` +
    'This happens when tfjs-koopman is installed as a link (an npm "file:" dependency), so the library resolves its own node_modules/@tensorflow/tfjs. ' +
    'Fix: install it as a copy — `npm install --install-links <path-to-tfjs-koopman>`, a packed tarball (`npm pack`) or the registry — ' +
    'so that one @tensorflow/tfjs (tfjs-koopman\'s peer dependency) serves both; `npm ls @tensorflow/tfjs` lists the copies.'
  );
}

/**
 * fit() of another tfjs copy does not see a Callback in `target` and calls these hooks on its own
 * CustomCallback, as `this`: own-property wrappers call the (possibly overridden) method on
 * `target` and hand the caller to `adopt` first.
 */
export function keepThisAcrossCopies(target: object, hooks: readonly string[], adopt: (caller: unknown) => void): void {
  for (const name of hooks) {
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      value: async function (this: unknown, ...a: unknown[]): Promise<void> {
        if (this !== target) adopt(this);
        return (Object.getPrototypeOf(target)[name] as (...x: unknown[]) => Promise<void>).apply(target, a);
      },
    });
  }
}
