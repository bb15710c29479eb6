/**
 * The NN differential-equation solver of seed 004 (Sec. 4, S9): the nonlinear oscillator
 * H = p²/2 + x²/2 + λx⁴/4, i.e. ẋ = p, ṗ = −x − λx³, solved by a network whose outputs satisfy
 * the initial condition exactly (Mattheakis et al., "Hamiltonian neural networks for solving
 * equations of motion").
 */
export interface OscillatorProblem {
  /** Non-linearity λ. */
  lambda: number;
  x0: number;
  p0: number;
  /** Time interval [0, tMax]. */
  tMax: number;
  /** Fixed training points (a fixed batch: the optimisation is deterministic). */
  points: number;
}

/** The paper's problem: λ = 1, x(0) = 1.3, p(0) = 1.0, t ∈ [0, 4π], 200 points. */
export const PAPER_PROBLEM: Readonly<OscillatorProblem> = Object.freeze({
  lambda: 1,
  x0: 1.3,
  p0: 1.0,
  tMax: 4 * Math.PI,
  points: 200,
});

/** The training times: `points` evenly spaced points on [0, tMax], both ends included. */
export function trainingTimes(problem: OscillatorProblem = PAPER_PROBLEM): Float32Array {
  const n = problem.points;
  return Float32Array.from({ length: n }, (_, i) => (problem.tMax * i) / (n - 1));
}

/** The energy H(x, p) = p²/2 + x²/2 + λx⁴/4, conserved along exact solutions. */
export function energy(x: number, p: number, lambda: number): number {
  return 0.5 * p * p + 0.5 * x * x + 0.25 * lambda * x ** 4;
}

/** The learning-rate schedule of the paper (Tables S4–S6): η(t) = 8/(1000 + t), t in optimizer steps. */
export function learningRate(step: number): number {
  return 8 / (1000 + step);
}
