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
 * among them: a sentence saying so and how to make fit() log it. null when the key will be logged
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
  return `spectrumMonitor: monitor '${key}' is not among the keys this fit() logs (${metrics.join(', ')})${hint}; the monitor will never decide`;
}
