import { twoTfjsCopiesMessage } from '../../src/tfjs/copies.js';

/**
 * Two copies of tfjs: a project that depends on tfjs-koopman through an npm `file:` link resolves
 * the library's own node_modules/@tensorflow/tfjs beside its own. The model then belongs to a copy
 * whose `instanceof` checks fail on this library's classes: fit() wraps the monitor in that copy's
 * CustomCallback and calls its methods with the wrong `this`.
 */

export { isForeignModel, isLayersModelLike } from '../../src/tfjs/copies.js';

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
