import { seriesSpectrum, weightSpectrum, type SpectrumSummary } from '../../src/spectrum/spectrum.js';
import type { ResolvedSpectrumMonitorArgs } from './options.js';
import type { Observable } from './types.js';

/**
 * The spectrum of every observable over the monitor's window, or why it cannot be computed yet
 * (too few values, or the fit's own error). Cost: one Hankel DMD of the loss window and one POD +
 * DMD of the weight window (O(n²·weights) for n snapshots) per epoch.
 */
export function windowSpectra(
  values: readonly number[],
  weightWindow: readonly Float32Array[],
  o: ResolvedSpectrumMonitorArgs,
): { spectra: Partial<Record<Observable, SpectrumSummary>>; pending: Partial<Record<Observable, string>> } {
  const spectra: Partial<Record<Observable, SpectrumSummary>> = {};
  const pending: Partial<Record<Observable, string>> = {};
  for (const k of o.observables) {
    try {
      if (k === 'loss') {
        const need = o.delays + 2;
        if (values.length < need) pending.loss = `needs ${need} finite values of ${o.monitor} in the window, has ${values.length}`;
        else spectra.loss = seriesSpectrum(values, o.delays, o);
      } else {
        if (weightWindow.length < 3) pending.weights = `needs 3 weight snapshots in the window, has ${weightWindow.length}`;
        else spectra.weights = weightSpectrum(weightWindow as Float32Array[], o);
      }
    } catch (err) {
      pending[k] = (err as Error).message;
    }
  }
  return { spectra, pending };
}

/** Keeps the newest `size` entries of a sliding window, in place. */
export function trimWindow<T>(window: T[], size: number): void {
  if (window.length > size) window.splice(0, window.length - size);
}

/** Appends a sentence to a reason, ending the reason with a full stop first. */
export function sentence(reason: string, extra: string): string {
  return `${reason}${reason.endsWith('.') ? '' : '.'} ${extra}`;
}
