import type { OscillatorProblem } from '../shared/de-solver/problem.js';

export interface Trajectory {
  t: Float64Array;
  x: Float64Array;
  p: Float64Array;
}

/**
 * Classical fourth-order Runge–Kutta for ẋ = p, ṗ = −x − λx³ on [0, tMax], sampled at `samples`
 * evenly spaced times (both ends included); each sampling interval is integrated with `substeps`
 * RK4 steps. The reference solution the trained networks are compared with.
 */
export function rk4Oscillator(problem: OscillatorProblem, samples: number, substeps = 200): Trajectory {
  if (!Number.isInteger(samples) || samples < 2) throw new Error(`samples must be an integer ≥ 2; got ${samples}`);
  if (!Number.isInteger(substeps) || substeps < 1) throw new Error(`substeps must be an integer ≥ 1; got ${substeps}`);
  const { lambda, tMax } = problem;
  const dt = tMax / (samples - 1) / substeps;
  const f = (x: number) => -x - lambda * x * x * x;
  const t = new Float64Array(samples);
  const xs = new Float64Array(samples);
  const ps = new Float64Array(samples);
  let x = problem.x0;
  let p = problem.p0;
  xs[0] = x;
  ps[0] = p;
  for (let i = 1; i < samples; i++) {
    for (let s = 0; s < substeps; s++) {
      const k1x = p;
      const k1p = f(x);
      const k2x = p + 0.5 * dt * k1p;
      const k2p = f(x + 0.5 * dt * k1x);
      const k3x = p + 0.5 * dt * k2p;
      const k3p = f(x + 0.5 * dt * k2x);
      const k4x = p + dt * k3p;
      const k4p = f(x + dt * k3x);
      x += (dt / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
      p += (dt / 6) * (k1p + 2 * k2p + 2 * k3p + k4p);
    }
    t[i] = (tMax * i) / (samples - 1);
    xs[i] = x;
    ps[i] = p;
  }
  return { t, x: xs, p: ps };
}
