import { cabs, type Complex } from '../../src/linalg/complex.js';
import { projectionMagnitudes, type HiddenStates, type KannFit } from '../../src/kann/index.js';
import type { KannReport } from '../../plugins/kann/index.js';

/** What one task hands to the summary. */
export interface TaskResult {
  task: 'copy' | 'sentiment' | 'beats';
  agreement: number;
  eRel: number;
  eigenAbove099: number;
  rank: number;
  dim: number;
  /** σ₁/σ_r of eq. (4)'s coefficient matrix, its relative residual, and what the basis loses. */
  condition: number;
  residual: number;
  basisError: number;
  /** The trained model's own score, named. */
  modelScore: { name: string; value: number };
  trainSeconds: number;
  finalLoss: number;
  /** Leading eigenvalues (|λ| order) and their horizons τ(ε). */
  leading: { lambda: Complex; tau: number }[];
  /** What the measurements say about a missed goal (one or two sentences with numbers). */
  causes: string[];
  /** Markdown lines for the task's section of summary.md. */
  notes: string[];
  files: string[];
}

/** Mean s(j, h) over every state, for every eigenvector (the marker size of the eigenvalue plot). */
export function meanMagnitudes(fit: KannFit, states: HiddenStates): number[] {
  const all = Array.from({ length: fit.rank }, (_, j) => j);
  const mags = projectionMagnitudes(fit, states, all);
  const out = new Array<number>(fit.rank).fill(0);
  const M = states.samples * states.steps;
  for (let m = 0; m < M; m++) for (let j = 0; j < fit.rank; j++) out[j] += mags[m * fit.rank + j] / M;
  return out;
}

/** Groups eigenvector indices into conjugate-closed subspaces (a pair with ±im, or one real), first `count`. */
export function subspaces(eigenvalues: Complex[], count: number): number[][] {
  const out: number[][] = [];
  let j = 0;
  while (j < eigenvalues.length && out.length < count) {
    const l = eigenvalues[j];
    const n = eigenvalues[j + 1];
    if (l.im !== 0 && n && Math.abs(n.re - l.re) < 1e-12 && Math.abs(n.im + l.im) < 1e-12) {
      out.push([j, j + 1]);
      j += 2;
    } else {
      out.push([j]);
      j++;
    }
  }
  return out;
}

export function fmtLambda(l: Complex): string {
  if (l.im === 0) return l.re.toFixed(4);
  return `${l.re.toFixed(4)} ${l.im >= 0 ? '+' : '−'} ${Math.abs(l.im).toFixed(4)}i (|λ| ${cabs(l).toFixed(4)})`;
}

export function fmtTau(t: number): string {
  return Number.isFinite(t) ? t.toFixed(1) : '∞';
}

/** The fields every task reads off the KANN report. */
export function common(task: TaskResult['task'], report: KannReport, agreement: number) {
  return {
    task,
    agreement,
    eRel: report.eRel,
    eigenAbove099: report.eigenAbove099,
    rank: report.fit.rank,
    dim: report.fit.dim,
    condition: report.fit.condition,
    residual: report.fit.residual,
    basisError: report.fit.basisError,
    leading: report.eigenvalues.slice(0, 8).map((lambda, j) => ({ lambda, tau: report.horizons[j] })),
  };
}

export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
