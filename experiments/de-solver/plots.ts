/** The DE solver's SVG plots (Fig. 2b–2e of seed 004, solutions, training curves) from runs.csv rows and details. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellNumber } from '../shared/report/index.js';
import { svgPlot, type Series } from '../shared/report/svg.js';
import { OPTIMIZERS } from '../shared/de-solver/optimizers.js';
import { PAPER_PROBLEM } from '../shared/de-solver/problem.js';
import { RUN_CONFIGS, type RunDetail } from './results.js';
import { rk4Oscillator } from './rk4.js';
import { col, type Row } from './store.js';


export function writePlots(outDir: string, rows: Row[], details: RunDetail[]): void {
  const put = (name: string, svg: string) => writeFileSync(join(outDir, name), svg);
  for (const o of OPTIMIZERS) {
    const ds = details.filter((d) => d.optimizer === o);
    if (!ds.length) continue;
    const d = ds[0];
    const S = d.schedule;
    // Relative to the loss at t2 (the change is small against the loss itself). A diverging
    // prediction would flatten the plain curve: points far above it, and non-finite ones, are counted instead.
    const paperRow = rows.find((r) => r.optimizer === o && r.config === 'paper' && Number(r.seed) === d.seed);
    const l0 = paperRow ? cellNumber(paperRow.loss_t2) : NaN;
    const rel = (v: number | null) => (v === null || !Number.isFinite(v) ? NaN : v - l0);
    const plainRel = d.curve.plain.map(rel);
    const top = Math.max(...plainRel.filter(Number.isFinite), 0);
    const bottom = Math.min(...plainRel.filter(Number.isFinite), 0);
    const cap = top + 2 * (top - bottom);
    const koRel = d.curve.koopman.map(rel);
    const nonFinite = koRel.filter((v) => Number.isNaN(v)).length;
    const above = koRel.filter((v) => v > cap).length;
    const note = [above ? `${above} above the chart` : '', nonFinite ? `${nonFinite} non-finite` : ''].filter(Boolean).join(', ');
    put(
      `loss_koopman_vs_optimizer_${o}.svg`,
      svgPlot(
        [
          { name: `${o}`, x: [S.t2, ...d.curve.h.map((h) => S.t2 + h)], y: [0, ...plainRel] },
          { name: 'Koopman (paper)', x: d.curve.h.map((h) => S.t2 + h), y: koRel.map((v) => (v <= cap ? v : NaN)), style: 'points' },
        ],
        {
          title: `Loss after t2, ${o} seed ${d.seed}${note ? ` (Koopman: ${note})` : ''}`,
          xLabel: 'training step',
          yLabel: 'loss − loss(t2)',
        },
      ),
    );
    put(
      `weights_${o}.svg`,
      svgPlot(
        d.weights.flatMap((w, k) => [
          { name: `w${w.index} ${o}`, x: [S.t2, ...d.curve.h.map((h) => S.t2 + h)], y: [0, ...w.plain.map((v) => v - w.t2)], color: PAL[k] },
          { name: `w${w.index} Koopman`, x: d.curve.h.map((h) => S.t2 + h), y: w.koopman.map((v) => v - w.t2), style: 'points' as const, color: PAL[k] },
        ]),
        { title: `Most dynamic weights after t2 (${o}, seed ${d.seed})`, xLabel: 'training step', yLabel: 'w(t) − w(t2)' },
      ),
    );
    // Fig. 2e: the ten runs with the smallest mean error.
    const ranked = ds
      .map((x) => ({ x, mean: x.errors.error.reduce((a, b) => a + b, 0) / x.errors.error.length }))
      .sort((a, b) => a.mean - b.mean)
      .slice(0, 10);
    put(
      `error_vs_growth_${o}.svg`,
      svgPlot(
        ranked.map(({ x }) => ({ name: `seed ${x.seed}`, x: x.errors.growth, y: x.errors.error, style: 'points' as const })),
        { title: `Weight error vs growth over T (${o}, paper recipe)`, xLabel: '|w(t2+T) − w(t2)|', yLabel: '|w_KO − w(t2+T)|', logX: true, logY: true },
      ),
    );
    const ref = rk4Oscillator(PAPER_PROBLEM, d.solution.t.length, 100);
    const t = d.solution.t;
    put(
      `solution_${o}.svg`,
      svgPlot(
        [
          { name: 'x RK4', x: t, y: Array.from(ref.x), color: '#000000' },
          { name: 'p RK4', x: t, y: Array.from(ref.p), color: '#777777' },
          { name: `x ${o} end`, x: t, y: d.solution.plain.x, color: PAL[0] },
          { name: `p ${o} end`, x: t, y: d.solution.plain.p, color: PAL[1] },
          { name: 'x Koopman t2+T', x: t.filter((_, i) => i % 8 === 0), y: d.solution.paper.x.filter((_, i) => i % 8 === 0), style: 'points', color: PAL[2] },
          { name: 'x best end', x: t.filter((_, i) => i % 8 === 4), y: d.solution.best.x.filter((_, i) => i % 8 === 4), style: 'points', color: PAL[3] },
        ],
        { title: `x̂(t), p̂(t) against RK4 (${o}, seed ${d.seed})`, xLabel: 't', yLabel: 'x, p' },
      ),
    );
    put(
      `training_${o}.svg`,
      svgPlot(
        [
          { name: `${o} (plain)`, x: d.training.plainStep, y: d.training.plainLoss },
          { name: 'best (effective steps)', ...dropJumpArtifacts(d.training.bestStep, d.training.bestLoss) },
        ],
        {
          title: `Training loss, plain vs best (${o}, seed ${d.seed})`,
          xLabel: 'effective training step',
          yLabel: 'physics loss',
          logY: true,
          markers: [{ x: S.t2, label: 't2' }],
        },
      ),
    );
  }
  // Fig. 2c: distribution of T_eq/T, one histogram per optimizer and config.
  const series: Series[] = [];
  const width = 0.05;
  for (const o of OPTIMIZERS) {
    for (const c of RUN_CONFIGS) {
      const v = col(rows.filter((r) => r.optimizer === o && r.config === c), 'teq_over_t').filter(Number.isFinite);
      if (!v.length) continue;
      const hi = Math.max(1.2, ...v);
      const nb = Math.ceil(hi / width) + 1;
      const counts = new Array<number>(nb).fill(0);
      for (const x of v) counts[Math.min(nb - 1, Math.max(0, Math.floor(x / width)))]++;
      series.push({ name: `${o} ${c}`, x: counts.map((_, i) => (i + 0.5) * width), y: counts, style: c === 'paper' ? 'line' : 'points' });
    }
  }
  if (series.length) {
    put('teq_distribution.svg', svgPlot(series, { title: 'Distribution of T_eq/T over seeds', xLabel: 'T_eq / T (bins of 0.05)', yLabel: 'runs' }));
  }
}

/**
 * Runs written before the thinning fix logged the pre-jump loss at the post-jump effective step,
 * just before the jump's own point; drops such points so a jump shows as one segment.
 */
function dropJumpArtifacts(step: number[], loss: number[]): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  step.forEach((s, i) => {
    if (i > 1 && step[i + 1] === s && s - step[i - 1] > 3 * (step[1] - step[0])) return;
    x.push(s);
    y.push(loss[i]);
  });
  return { x, y };
}

const PAL = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
