import { resolveSpectrumMonitorArgs, spectrumMonitor, type SpectrumMonitorArgs } from '../../plugins/spectrum-monitor/index.js';
import { seriesSpectrum } from '../../src/spectrum/spectrum.js';
import { median } from '../../src/metrics/index.js';

/**
 * Learning-curve baselines for the loss forecast (pure): a power law L(t) = a + b·t^(−c) and an
 * exponential L(t) = a + b·e^(−c·t) (the two simplest families of Domhan et al. 2015's ensemble),
 * least squares on a prefix. For a fixed c both are linear in (a, b), solved in closed form; c is
 * found on a log-spaced grid and refined by golden-section search on log c.
 */
export type CurveFamily = 'power-law' | 'exponential';
export const CURVE_FAMILIES: readonly CurveFamily[] = ['power-law', 'exponential'];

export interface CurveFit {
  family: CurveFamily;
  a: number;
  b: number;
  c: number;
  /** Sum of squared residuals on the fitted prefix. */
  sse: number;
}

/** Search range of the rate c: [lo, hi] (log-spaced grid of `grid` points, then golden refinement). */
export const CURVE_FIT_DEFAULTS = {
  'power-law': { lo: 1e-3, hi: 10 },
  exponential: { lo: 1e-4, hi: 5 },
  grid: 80,
  refineSteps: 40,
} as const;

function basis(family: CurveFamily, t: number, c: number): number {
  return family === 'power-law' ? Math.pow(t, -c) : Math.exp(-c * t);
}

/** Least-squares (a, b) for fixed c; O(m). A constant fit (b = 0) when the basis does not vary. */
function linearFit(family: CurveFamily, t: number[], y: number[], c: number): CurveFit {
  const m = t.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < m; i++) {
    sx += basis(family, t[i], c);
    sy += y[i];
  }
  const mx = sx / m;
  const my = sy / m;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    const dx = basis(family, t[i], c) - mx;
    sxx += dx * dx;
    sxy += dx * (y[i] - my);
  }
  const b = sxx > 1e-300 ? sxy / sxx : 0;
  const a = my - b * mx;
  let sse = 0;
  for (let i = 0; i < m; i++) sse += (y[i] - a - b * basis(family, t[i], c)) ** 2;
  return { family, a, b, c, sse };
}

/**
 * Fits `family` to (t, y) (t ≥ 1 for the power law). Throws when fewer than 3 points or a
 * non-finite value are given. Cost O(m · (grid + refineSteps)).
 */
export function fitCurve(family: CurveFamily, t: number[], y: number[]): CurveFit {
  if (t.length !== y.length) throw new Error(`fitCurve: ${t.length} times and ${y.length} values`);
  if (t.length < 3) throw new Error(`fitCurve: needs at least 3 points; got ${t.length}`);
  if (!y.every(Number.isFinite) || !t.every(Number.isFinite)) throw new Error('fitCurve: the values must be finite');
  const { lo, hi } = CURVE_FIT_DEFAULTS[family];
  const G = CURVE_FIT_DEFAULTS.grid;
  const l0 = Math.log(lo);
  const l1 = Math.log(hi);
  let best = linearFit(family, t, y, lo);
  let bestI = 0;
  for (let i = 1; i < G; i++) {
    const f = linearFit(family, t, y, Math.exp(l0 + ((l1 - l0) * i) / (G - 1)));
    if (f.sse < best.sse) {
      best = f;
      bestI = i;
    }
  }
  // golden-section refinement of log c between the grid neighbours of the best point
  let a = l0 + ((l1 - l0) * Math.max(0, bestI - 1)) / (G - 1);
  let b = l0 + ((l1 - l0) * Math.min(G - 1, bestI + 1)) / (G - 1);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < CURVE_FIT_DEFAULTS.refineSteps; k++) {
    const x1 = b - g * (b - a);
    const x2 = a + g * (b - a);
    const f1 = linearFit(family, t, y, Math.exp(x1));
    const f2 = linearFit(family, t, y, Math.exp(x2));
    if (f1.sse < best.sse) best = f1;
    if (f2.sse < best.sse) best = f2;
    if (f1.sse < f2.sse) b = x2;
    else a = x1;
  }
  return best;
}

export function evalCurve(f: CurveFit, t: number): number {
  return f.a + f.b * basis(f.family, t, f.c);
}

/** Predicted value at `tEnd` of the better-fitting family on the prefix (lower SSE), and of each family. */
export function curveForecast(t: number[], y: number[], tEnd: number): { best: number; family: CurveFamily; byFamily: Record<CurveFamily, number> } {
  const fits = CURVE_FAMILIES.map((f) => fitCurve(f, t, y));
  const pick = fits[0].sse <= fits[1].sse ? fits[0] : fits[1];
  return {
    best: evalCurve(pick, tEnd),
    family: pick.family,
    byFamily: { 'power-law': evalCurve(fits[0], tEnd), exponential: evalCurve(fits[1], tEnd) },
  };
}

/**
 * The spectrum monitor's forecast (`sm.forecast`) of the monitored value at the end of a run from
 * its first `prefix` epochs: the monitor (options `args`, its stopping rules switched off) sees
 * the prefix through afterEpoch, then forecasts `values.length − prefix` epochs ahead. null when
 * the monitor has no forecast. Cost: `prefix` spectra of at most `windowSize` values.
 */
export async function koopmanForecast(values: number[], prefix: number, args: SpectrumMonitorArgs): Promise<number | null> {
  const sm = spectrumMonitor({ ...args, spectral: 'off', patience: values.length + 1, restoreBestWeights: false, forecastEpochs: null, verbose: 0, onDecision: null });
  const key = sm.options.monitor;
  sm.attach();
  for (let e = 0; e < prefix; e++) await sm.afterEpoch({ [key]: values[e] }, e);
  return sm.forecast(values.length - prefix);
}

/**
 * The forecast the monitor's `forecastEpochs` restart rule reads: the kept modes of the loss
 * spectrum of the last `windowSize` prefix values (sliding window) evolved to the end, no
 * constant observable. null when the spectrum has no forecast. Cost: one spectrum of the window.
 */
export function modesForecast(values: number[], prefix: number, args: SpectrumMonitorArgs): number | null {
  const o = resolveSpectrumMonitorArgs({ ...args, forecastEpochs: null });
  const w = values.slice(o.window === 'sliding' ? Math.max(0, prefix - o.windowSize) : 0, prefix);
  try {
    const f = seriesSpectrum(w, o.delays, { ...o, forecastEpochs: Math.max(1, values.length - prefix) }).forecast;
    return f ? f.value : null;
  } catch {
    return null;
  }
}

/** The forecast methods scored in forecast.csv. */
export const FORECAST_METHODS = ['koopman', 'koopman-growing-window', 'koopman-modes', 'curve-fit', 'curve-fit-power-law', 'curve-fit-exponential'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

export interface ForecastRow {
  method: ForecastMethod;
  prefix_share: number;
  median_abs_rel_error: number;
  /** Runs scored (those where the method gave a forecast) of all runs. */
  runs: number;
  missing: number;
}

/**
 * |predicted final value / recorded final value − 1| of every method from the first
 * ⌊share · n⌋ epochs of every series (series[e] = monitored value after epoch e), medians over
 * the series. A method without a forecast on a series is counted in `missing` and left out.
 */
export async function scoreForecasts(series: number[][], shares: number[], args: SpectrumMonitorArgs): Promise<{ rows: ForecastRow[]; errors: Record<string, number[]> }> {
  const rows: ForecastRow[] = [];
  const errors: Record<string, number[]> = {};
  for (const share of shares) {
    const errs: Record<ForecastMethod, number[]> = Object.fromEntries(FORECAST_METHODS.map((m) => [m, []])) as unknown as Record<ForecastMethod, number[]>;
    const missing: Record<ForecastMethod, number> = Object.fromEntries(FORECAST_METHODS.map((m) => [m, 0])) as unknown as Record<ForecastMethod, number>;
    for (const v of series) {
      const n = v.length;
      const p = Math.floor(share * n);
      const actual = v[n - 1];
      const prefix = v.slice(0, p);
      const t = prefix.map((_, e) => e + 1);
      const rel = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.abs(x / actual - 1));
      const add = (m: ForecastMethod, x: number | null) => {
        const r = rel(x);
        if (r === null) missing[m]++;
        else errs[m].push(r);
      };
      add('koopman', await koopmanForecast(v, p, args));
      add('koopman-growing-window', await koopmanForecast(v, p, { ...args, window: 'growing' }));
      add('koopman-modes', modesForecast(v, p, args));
      if (p >= 3 && prefix.every(Number.isFinite)) {
        const c = curveForecast(t, prefix, n);
        add('curve-fit', c.best);
        add('curve-fit-power-law', c.byFamily['power-law']);
        add('curve-fit-exponential', c.byFamily.exponential);
      } else for (const m of ['curve-fit', 'curve-fit-power-law', 'curve-fit-exponential'] as const) missing[m]++;
    }
    for (const m of FORECAST_METHODS) {
      rows.push({ method: m, prefix_share: share, median_abs_rel_error: median(errs[m]), runs: errs[m].length, missing: missing[m] });
      errors[`${m}@${share}`] = errs[m];
    }
  }
  return { rows, errors };
}
