import type * as tf from '@tensorflow/tfjs';

/** Epoch logs as fit() passes them: numbers or scalar tensors. */
export type EpochLogs = { [key: string]: number | tf.Scalar };

/**
 * Log keys: tfjs logs `acc` / `val_acc` for `metrics: ['accuracy']` where Keras logs `accuracy` /
 * `val_accuracy`, so the monitor reads either name for the other.
 */

/** The log keys that name the same quantity as `key`, `key` first. */
export function keyAliases(key: string): string[] {
  const m = /^(val_)?(acc|accuracy)$/.exec(key);
  if (!m) return [key];
  const prefix = m[1] ?? '';
  return [key, `${prefix}${m[2] === 'acc' ? 'accuracy' : 'acc'}`];
}

/** The monitored value in `logs` under `key` or one of its aliases (undefined when absent or not a number). */
export function monitorValue(logs: { [key: string]: unknown }, key: string): number | undefined {
  for (const k of keyAliases(key)) {
    const v = logs[k];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/**
 * When fit() announces the keys it will log (`params.metrics`) and neither `key` nor an alias is
 * among them: a sentence saying so and how to make fit() log it (a callback before the monitor
 * may still add the key, so this is a warning, not an error). null when the key will be logged
 * or the keys are unknown.
 */
export function neverLoggedMessage(key: string, metrics: unknown): string | null {
  if (!Array.isArray(metrics) || metrics.length === 0 || !metrics.every((m) => typeof m === 'string')) return null;
  const aliases = keyAliases(key);
  if (aliases.some((k) => metrics.includes(k))) return null;
  let hint = '';
  const base = key.startsWith('val_') ? key.slice(4) : key;
  const validation = metrics.some((m: string) => m.startsWith('val_'));
  if (key.startsWith('val_') && !validation && keyAliases(base).some((k) => metrics.includes(k))) {
    hint = `: val_ keys are logged only with validationData or validationSplit in fit()`;
  } else if (/^(acc|accuracy)$/.test(base)) {
    hint = `: compile the model with metrics: ['accuracy'] to log acc${validation ? ' and val_acc' : ''}`;
  }
  return `spectrumMonitor: monitor '${key}' is not among the keys this fit() logs (${metrics.join(', ')})${hint}; unless another callback adds it to the epoch logs, the monitor will never decide`;
}

/** Like tfjs's resolveScalarsInLogs: scalar tensors (of any tfjs copy) become numbers and are disposed. */
export async function resolveLogs(logs?: EpochLogs): Promise<{ [key: string]: number }> {
  if (!logs) return {};
  for (const key of Object.keys(logs)) {
    const v = logs[key] as unknown;
    if (typeof v !== 'number' && v !== null && typeof v === 'object' && typeof (v as tf.Scalar).data === 'function') {
      const t = v as tf.Scalar;
      const data = await t.data();
      logs[key] = data[0] as number;
      t.dispose();
    }
  }
  return logs as { [key: string]: number };
}

/** The logs with each camelCase key also under its snake_case name (`valLoss` answers `val_loss`). */
export function withSnakeCase(logs: { [key: string]: number }): { [key: string]: number } {
  const named: { [key: string]: number } = { ...logs };
  for (const [k, v] of Object.entries(logs)) {
    const snake = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (!(snake in named)) named[snake] = v;
  }
  return named;
}

/** The monitored key is missing from an epoch's logs: an error with `strict`, else one warning. Returns whether it has warned. */
export function reportMissingKey(logs: { [key: string]: number }, o: { monitor: string; strict: boolean }, epoch: number, warned: boolean): boolean {
  const what = `spectrumMonitor: ${keyAliases(o.monitor).join(' / ')} is not in the logs of epoch ${epoch}; available: ${Object.keys(logs).join(', ') || 'none'}`;
  if (o.strict) throw new Error(`${what} (strict: true)`);
  if (!warned) console.warn(what);
  return true;
}
