import * as tf from '@tensorflow/tfjs';
import { isForeignModel, isLayersModelLike, twoTfjsCopiesMessage, wrappedAsPlainObjectMessage } from '../../src/tfjs/copies.js';

/**
 * Two copies of tfjs: a project that depends on tfjs-koopman through an npm `file:` link resolves
 * the library's own node_modules/@tensorflow/tfjs beside its own. The model then belongs to a copy
 * whose `instanceof` checks fail on this library's classes: fit() wraps the monitor in that copy's
 * CustomCallback and calls its methods with the wrong `this`.
 */

export { isForeignModel, isLayersModelLike };

/** What is wrong and how to fix it, after a sentence saying where it was found. */
export function twoCopiesMessage(where: string): string {
  return twoTfjsCopiesMessage('spectrumMonitor', where);
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

/**
 * The model a CustomCallback `caller` passes (fit() of another tfjs copy, or of this one with a
 * plain-object callback first), else the one attach() set; throws saying which case it is.
 */
export function callerModel(caller: unknown, attached: tf.LayersModel | undefined): tf.LayersModel {
  const c = caller as { model?: unknown } | null;
  if (c && typeof c === 'object' && isLayersModelLike(c.model)) return c.model as tf.LayersModel;
  if (attached) return attached;
  if (caller instanceof tf.CustomCallback) throw new Error(wrappedAsPlainObjectMessage('spectrumMonitor'));
  throw new Error(
    `${twoCopiesMessage("model.fit() called the monitor through the other copy's CustomCallback, which does not pass the model")} ` +
      'Until then, sm.attach(model) before fit() lets the monitor read and stop that model (restoreBestWeights needs one copy).',
  );
}

/** Refuses a model the monitor cannot serve, saying why; warns once about a foreign one. Returns whether it has warned. */
export function checkMonitorModel(model: unknown, where: string, restoreBestWeights: boolean, warned: boolean): boolean {
  if (model === undefined || model === null) return warned;
  if (!isLayersModelLike(model)) throw new Error(`spectrumMonitor: ${where} needs a tf.LayersModel; got ${typeof model}`);
  if (!isForeignModel(model)) return warned;
  if (restoreBestWeights) throw new Error(`${twoCopiesMessage(where)} restoreBestWeights cannot write weights across the two copies.`);
  if (!warned) console.warn(`${twoCopiesMessage(where)} The monitor reads the logs and weights and stops training, but nothing else of tfjs-koopman will work with this model.`);
  return true;
}
