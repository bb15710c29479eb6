import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../../src/metrics/teq.js';
import { writeCsv } from '../shared/report/csv.js';
import { svgPlot, type Series } from '../shared/report/svg.js';
import type { RaceRow } from './race.js';
import type { RaceSettings } from './settings.js';

export const SUMMARY_COLUMNS = [
  'workload',
  'optimizer',
  'method',
  'runs',
  'median_speedup_vs_plain',
  'median_speedup_vs_best_peer',
  'worst_final_loss_ratio',
  'median_skipped_share',
  'reached_target',
  'median_final_loss',
  'median_final_acc',
  'median_wall_s',
  'median_wall_to_target_s',
  'median_steps_to_target',
  'median_method_cost_s',
  'median_cpu_speedup_vs_plain',
  'median_cpu_speedup_vs_best_peer',
  'median_step_speedup_vs_plain',
  'median_overhead_share',
  'max_overhead_share',
  'median_adjusted_speedup_vs_plain',
] as const;
export type SummaryRow = Record<(typeof SUMMARY_COLUMNS)[number], string | number>;

/** Everything a method spent on top of the optimizer (record + fit + extrapolate + guard), seconds. */
export function methodCost(r: RaceRow): number {
  return (r.record_ms + r.fit_ms + r.extrapolate_ms + r.guard_ms) / 1000;
}

/** The method's own time ÷ its run's wall time (older runs: record + fit + extrapolate + guard). */
function overheadShare(r: RaceRow): number {
  return r.overhead_share ?? methodCost(r) / r.wall_s;
}

/**
 * The speed-up the clocks would show if every optimizer step cost the same in both runs: plain's
 * steps to the target ÷ the method's, times the share of the method's run not spent on its own
 * work. Removes the run-to-run noise of a shared machine; assumes the method's steps cost what
 * plain's do (true for the plugin and the shadows, whose per-step work is in their own time).
 */
export function adjustedSpeedup(r: RaceRow): number {
  return r.step_speedup_vs_plain * (1 - overheadShare(r));
}

/** One row per workload × optimizer × method: medians over seeds (a never-reached target counts as speed-up 0). */
export function summarise(rows: RaceRow[]): SummaryRow[] {
  const out: SummaryRow[] = [];
  const keys = [...new Set(rows.map((r) => `${r.workload}|${r.optimizer}|${r.method}`))];
  for (const key of keys) {
    const [workload, optimizer, method] = key.split('|');
    const r = rows.filter((x) => x.workload === workload && x.optimizer === optimizer && x.method === method);
    const med = (f: (x: RaceRow) => number) => {
      const v = r.map(f).filter((x) => !Number.isNaN(x));
      return v.length ? median(v) : NaN;
    };
    out.push({
      workload,
      optimizer,
      method,
      runs: r.length,
      median_speedup_vs_plain: med((x) => x.speedup_vs_plain),
      median_speedup_vs_best_peer: med((x) => x.speedup_vs_best_peer),
      worst_final_loss_ratio: Math.max(...r.map((x) => x.final_loss_ratio)),
      median_skipped_share: med((x) => x.skipped_share),
      reached_target: r.filter((x) => !Number.isNaN(x.wall_to_target_s)).length,
      median_final_loss: med((x) => x.final_loss),
      median_final_acc: med((x) => x.final_acc),
      median_wall_s: med((x) => x.wall_s),
      median_wall_to_target_s: med((x) => x.wall_to_target_s),
      median_steps_to_target: med((x) => x.steps_to_target),
      median_method_cost_s: med(methodCost),
      median_cpu_speedup_vs_plain: med((x) => x.cpu_speedup_vs_plain),
      median_cpu_speedup_vs_best_peer: med((x) => x.cpu_speedup_vs_best_peer),
      median_step_speedup_vs_plain: med((x) => x.step_speedup_vs_plain),
      median_overhead_share: med(overheadShare),
      max_overhead_share: Math.max(...r.map(overheadShare)),
      median_adjusted_speedup_vs_plain: med(adjustedSpeedup),
    });
  }
  return out;
}

const f2 = (v: number | string) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(2) : '–') : v);
const f4 = (v: number | string) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(4) : '–') : v);

interface Goal {
  text: string;
  workload: string;
  optimizers: string[];
  /** Least median speed-up vs plain, and vs the best peer (0 = not asked). */
  vsPlain: number;
  vsPeer: number;
  /** Largest final-loss ratio allowed in any run (Infinity = not asked). */
  lossRatio: number;
}

const GOALS: Goal[] = [
  { text: 'Fashion-MLP Adam: ≥ 1.5× vs plain, ≥ 1.15× vs best peer, final loss ≤ 1 % above plain in every run', workload: 'fashion-mlp', optimizers: ['adam'], vsPlain: 1.5, vsPeer: 1.15, lossRatio: 1.01 },
  { text: 'DE solver Adam: ≥ 2× vs plain', workload: 'de-solver', optimizers: ['adam'], vsPlain: 2, vsPeer: 0, lossRatio: Infinity },
  { text: 'DE solver Adagrad and Adadelta: ≥ 4× vs plain', workload: 'de-solver', optimizers: ['adagrad', 'adadelta'], vsPlain: 4, vsPeer: 0, lossRatio: Infinity },
];

function isKoopman(method: string): boolean {
  return method.startsWith('koopman');
}

/** The Koopman method closest to a goal on one optimizer (largest shortfall-limited score). */
function goalLines(sum: SummaryRow[]): string[] {
  const lines: string[] = [];
  for (const g of GOALS) {
    for (const opt of g.optimizers) {
      const cand = sum.filter((r) => r.workload === g.workload && r.optimizer === opt && isKoopman(String(r.method)));
      if (!cand.length) {
        lines.push(`- ${g.text} — **${opt}: not run**`);
        continue;
      }
      const score = (r: SummaryRow, cpu: boolean) =>
        Math.min(
          Number(cpu ? r.median_cpu_speedup_vs_plain : r.median_speedup_vs_plain) / g.vsPlain,
          g.vsPeer ? Number(cpu ? r.median_cpu_speedup_vs_best_peer : r.median_speedup_vs_best_peer) / g.vsPeer : Infinity,
          Number(r.worst_final_loss_ratio) <= g.lossRatio ? Infinity : g.lossRatio / Number(r.worst_final_loss_ratio),
        );
      const best = cand.reduce((a, b) => (score(b, true) > score(a, true) ? b : a));
      const verdict = (cpu: boolean) => (score(best, cpu) >= 1 ? 'met' : 'missed');
      const parts = [`${f2(best.median_speedup_vs_plain)}× wall / ${f2(best.median_cpu_speedup_vs_plain)}× CPU / ${f2(best.median_step_speedup_vs_plain)}× steps / ${f2(best.median_adjusted_speedup_vs_plain)}× cost-adjusted steps vs plain (goal ${g.vsPlain}×)`];
      if (g.vsPeer) parts.push(`${f2(best.median_speedup_vs_best_peer)}× wall / ${f2(best.median_cpu_speedup_vs_best_peer)}× CPU vs the best peer (goal ${g.vsPeer}×)`);
      if (Number.isFinite(g.lossRatio)) parts.push(`worst final-loss ratio ${f4(best.worst_final_loss_ratio)} (limit ${g.lossRatio})`);
      lines.push(`- ${g.text} — **${opt}: ${verdict(false)} on wall time, ${verdict(true)} on CPU time**; closest Koopman method \`${best.method}\`: ${parts.join(', ')}; it spent ${f2(best.median_method_cost_s)} s of ${f2(best.median_wall_s)} s on record / fit / guard.`);
    }
  }
  // No workload slower than plain (≥ 0.98×) with the auto schedule: the `koopman` method (the
  // plugin configured with its guard only) on every workload × optimizer.
  const groups = [...new Set(sum.map((r) => `${r.workload}|${r.optimizer}`))];
  const each: string[] = [];
  let met = 0;
  let missed = 0;
  for (const k of groups) {
    const [w, o] = k.split('|');
    const auto = sum.find((r) => r.workload === w && r.optimizer === o && r.method === 'koopman');
    if (!auto) continue;
    const ok = Number(auto.median_adjusted_speedup_vs_plain) >= 0.98;
    if (ok) met++;
    else missed++;
    each.push(`${w}/${o} ${Number(auto.median_adjusted_speedup_vs_plain).toFixed(3)}× cost-adjusted steps (${f2(auto.median_step_speedup_vs_plain)}× steps; clocks ${f2(auto.median_speedup_vs_plain)}× wall, ${f2(auto.median_cpu_speedup_vs_plain)}× CPU), overhead ${(100 * Number(auto.median_overhead_share)).toFixed(1)} % of the run (max ${(100 * Number(auto.max_overhead_share)).toFixed(1)} %)${ok ? '' : ' — **below 0.98**'}`);
  }
  lines.push(
    each.length
      ? `- No workload below 0.98× vs plain with the auto schedule (\`koopman\`; judged on the cost-adjusted step speed-up, the clocks being noisier than the margin) — **${missed ? `missed on ${missed} of ${met + missed}` : 'met'}**: ${each.join('; ')}.`
      : '- No workload below 0.98× vs plain with the auto schedule — **not run** (no `koopman` method).',
  );
  return lines;
}

/** Writes summary.csv, summary.md and one loss-vs-wall-time SVG per workload × optimizer (first seed). */
export function writeSummary(rows: RaceRow[], s: RaceSettings, command: string, backend: string, parts: string[] = []): string[] {
  mkdirSync(s.out, { recursive: true });
  const sum = summarise(rows);
  const files = [join(s.out, 'summary.csv'), join(s.out, 'summary.md')];
  writeCsv(files[0], sum, [...SUMMARY_COLUMNS]);
  const md: string[] = [
    `# The race: wall time to plain training's final loss${s.quick ? ' (quick mode)' : ''}`,
    '',
    `Command: \`${command}\` · backend ${backend} · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared · ${new Date().toISOString()}`,
    '',
    `Target = the plain run's final loss (mean of its last 3 evaluations) in the same seed. Speed-up = plain's (or the best peer's) wall time to the target ÷ the method's; 0 when the method never reaches it. The machine is shared (2 cores, several agents' jobs), so wall times of the same computation swing between back-to-back runs; the CPU columns time the same intervals in this process's CPU time (user + system), which on an idle machine equals wall time (wasm is single-threaded here) and does not count time spent waiting for a core. "steps × plain" is plain's optimizer steps to the target ÷ the method's: noise-free, costs not counted. "adjusted × plain" is steps × plain × (1 − overhead): what the clocks would show if every step cost the same in both runs. "overhead" is the method's own spent time (for the plugin its report.spentMs: recording, fits, extrapolation, guard) ÷ the run's wall time. Wall time counts every step and everything a method does (record, fit, extrapolate, guard, swaps); the scored evaluations are excluded. ${parts.length ? `Merged from runs with these schedules: ${parts.join('; ')}.` : `Seeds: ${s.seeds} from ${s.seedOffset}; Fashion-MNIST ${s.sizes.train} training / ${s.sizes.validation} scored validation / ${s.sizes.guard} guard images, batch ${s.sizes.batchSize}, ${s.fashionEpochs} epochs, EMA decay ${s.fashionEmaDecay}; DE solver ${s.deBlocks * s.deBlockSteps} steps (the paper runs 60 000), scored every ${s.deBlockSteps}.`}`,
    '',
    '## Goals',
    '',
    ...goalLines(sum),
    '',
    '## Every workload × optimizer × method (medians over seeds)',
    '',
    '| workload | optimizer | method | runs | × plain | × best peer | CPU × plain | CPU × best peer | steps × plain | adjusted × plain | worst loss ratio | skipped share | reached | final loss | acc | wall s | cost s | overhead |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...sum.map(
      (r) =>
        `| ${r.workload} | ${r.optimizer} | ${r.method} | ${r.runs} | ${f2(r.median_speedup_vs_plain)} | ${f2(r.median_speedup_vs_best_peer)} | ${f2(r.median_cpu_speedup_vs_plain)} | ${f2(r.median_cpu_speedup_vs_best_peer)} | ${f2(r.median_step_speedup_vs_plain)} | ${f2(r.median_adjusted_speedup_vs_plain)} | ${f4(r.worst_final_loss_ratio)} | ${f2(r.median_skipped_share)} | ${r.reached_target}/${r.runs} | ${f4(r.median_final_loss)} | ${f4(r.median_final_acc)} | ${f2(r.median_wall_s)} | ${f2(r.median_method_cost_s)} | ${(100 * Number(r.median_overhead_share)).toFixed(1)} % |`,
    ),
    '',
    'Methods: `ema` decay 0.995 per step (Fashion-MNIST runs: the decay stated with their schedule), scored on the average (Keras `SwapEMAWeights`), the average kept in JavaScript (weights read back after every step); `ema-tf` the same average kept in tf variables and updated in-graph (Keras `use_ema`); `lawa` mean of the latest 3 epoch-end checkpoints; `lookahead` k = 5, α = 0.5 (the model holds the fast weights); `koopman` the plugin with the auto schedule, one line as the README gives it: `koopmanTraining({ guard: { validationData: [xGuard, yGuard] } })` (DE solver: `guard: { lossFn }` with the physics loss), its choices in the runs table\'s `schedule` column; `koopman-fixed` the plugin with the explicit settings used before the auto schedule (quasi-node q = 32, one-epoch window every 4th step, a guarded decision every 3 epochs; DE: experiments/de-solver `best` scaled); `koopman+ema` a shadow Koopman extrapolation of the EMA trajectory (one operator on the whole weight vector in the span of 16 snapshots ⌊steps per evaluation ÷ 24⌋ steps apart, horizon by bracket search on the guard images at every evaluation); `koopman-shadow` the same on the raw iterate; `koopman-best` a shadow handing out whichever of raw, EMA and their two extrapolations has the lowest guard loss; `koopman-jump` the raw-iterate extrapolation written back into training. Policy notes and measured causes: NOTES.md.',
    '',
  ];
  writeFileSync(files[1], md.join('\n'));
  const combos = [...new Set(rows.map((r) => `${r.workload}|${r.optimizer}`))];
  for (const k of combos) {
    const [w, o] = k.split('|');
    const seed = Math.min(...rows.filter((r) => r.workload === w && r.optimizer === o).map((r) => r.seed));
    const series: Series[] = rows
      .filter((r) => r.workload === w && r.optimizer === o && r.seed === seed)
      .map((r) => ({ name: r.method, x: r.wall_s_by_eval.split(' ').map(Number), y: r.loss_by_eval.split(' ').map(Number) }));
    const target = rows.find((r) => r.workload === w && r.optimizer === o && r.seed === seed)!.target_loss;
    const tail = series.flatMap((x) => x.y.slice(Math.floor(x.y.length / 3)));
    const lo = Math.min(...tail);
    const hi = Math.max(...series.flatMap((x) => x.y.slice(2)));
    const clipped = series.map((x) => ({ ...x, x: x.x.slice(1), y: x.y.slice(1).map((v) => Math.min(v, hi)) }));
    clipped.push({ name: `target ${target.toPrecision(4)}`, x: [0, Math.max(...series.flatMap((x) => x.x))], y: [target, target], color: '#000' });
    const path = join(s.out, `loss-vs-wall-${w}-${o}.svg`);
    writeFileSync(path, svgPlot(clipped, { title: `${w}, ${o}, seed ${seed}: scored loss against training wall time (lower-left wins)`, xLabel: 'training wall time (s), everything each method does included', yLabel: w === 'de-solver' ? 'physics loss (log)' : 'validation cross-entropy', logY: w === 'de-solver' || lo <= 0 ? true : false }));
    files.push(path);
  }
  return files;
}
