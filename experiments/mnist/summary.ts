/** The MNIST experiment's summary.md: ours beside Table 2 of seed 004, each goal met or not with its measured cause, per-run table. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../../src/metrics/teq.js';
import { machineInfo, mdHeader, mdRow, svgPlot, writeCsv } from '../shared/report/index.js';
import { SUMMARY_COLUMNS, summariseMnistConfigs, type ConfigName, type MnistSummary, type RunRow } from './measure.js';
import type { MnistSettings } from '../shared/mnist/settings.js';

/** runs.csv, summary.csv, summary.md and teq-over-t.svg from every run in the folder. */
export function writeTables(
  s: MnistSettings,
  merged: { rows: RunRow[]; commands: string[] },
  backend: string,
  source: string,
  trainSize: number,
): { summary: MnistSummary[]; files: string[] } {
  const summary = summariseMnistConfigs(merged.rows);
  const files: string[] = [];
  const put = (name: string, text: string) => {
    writeFileSync(join(s.out, name), text);
    files.push(join(s.out, name));
  };
  writeCsv(join(s.out, 'runs.csv'), merged.rows as unknown as Record<string, unknown>[]);
  files.push(join(s.out, 'runs.csv'));
  writeCsv(join(s.out, 'summary.csv'), summary, [...SUMMARY_COLUMNS]);
  files.push(join(s.out, 'summary.csv'));
  put('summary.md', summaryMarkdown(s, merged.rows, summary, merged.commands.join('`, `'), backend, source, trainSize));
  put(
    'teq-over-t.svg',
    svgPlot(
      (['paper', 'best'] as const).map((cfg) => ({
        name: cfg,
        x: merged.rows.filter((r) => r.config === cfg).map((r) => r.seed),
        y: merged.rows.filter((r) => r.config === cfg).map((r) => r.teq_over_t),
        style: 'points' as const,
      })),
      { title: 'T_eq / T per seed (first jump)', xLabel: 'seed', yLabel: 'T_eq / T' },
    ),
  );
  return { summary, files };
}

const PAPER_TABLE2 = { success: 1.0, teq: 0.97, speedup: 15 };

function f(v: number | string, digits = 3): string {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return '—';
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString();
}

export function summaryMarkdown(
  s: MnistSettings,
  rows: RunRow[],
  summary: MnistSummary[],
  command: string,
  backend: string,
  source: string,
  trainSize: number,
): string {
  const by = Object.fromEntries(summary.map((r) => [r.config, r])) as Record<ConfigName, (typeof summary)[number]>;
  const best = by.best;
  const goal = (ok: boolean) => (ok ? 'met' : '**not met**');
  const n = (x: number | string) => Number(x);
  const bestRows = rows.filter((r) => r.config === 'best');
  const medOf = (g: (r: RunRow) => number) => median(bestRows.map(g).filter((v) => Number.isFinite(v)));
  const T = s.horizon * s.stepsPerEpoch;
  // plain optimizer ms per step (whole run, evaluations excluded), per-decision costs of the best config
  const stepMs = medOf((r) => (1000 * r.plain_wall_s) / (s.epochs * s.stepsPerEpoch));
  const jumpMs = medOf((r) => (r.record_ms + r.fit_ms + r.extrapolate_ms + r.guard_ms) / Math.max(1, r.jumps));
  const fitMs = medOf((r) => r.fit_ms / Math.max(1, r.jumps));
  const guardMs = medOf((r) => (r.extrapolate_ms + r.guard_ms) / Math.max(1, r.jumps));
  const skipped = medOf((r) => r.skipped_steps);
  const paperRows = rows.filter((r) => r.config === 'paper');
  const raised = paperRows.filter((r) => !(r.ko_test_loss < r.loss_t2)).length;
  const machine = machineInfo();
  const lines = [
    `# MNIST Koopman training (seed 004, Table 2)${s.dataset === 'fashion' ? ' on Fashion-MNIST' : ''}`,
    '',
    `Command(s): \`${command}\``,
    `Machine: ${machine.cpu} × ${machine.cores}, Node ${machine.node}, tfjs backend \`${backend}\`. Data: ${source}.`,
    `Settings: ${new Set(rows.map((r) => r.seed)).size} seeds (${[...new Set(rows.map((r) => r.seed))].join(', ')}), ${s.epochs} epochs × ${s.stepsPerEpoch} iterations, batch ${s.batchSize}, Adadelta lr 1.0 ×${s.gamma}/epoch (rho 0.9, eps 1e-6), t1 = ${s.t1} epochs, t2 = ${s.t2} epochs, T = ${s.horizon} epochs, quasi-node q = ${s.q} on the first layer (paper config).${s.quick ? ' **Quick mode: scaled down, not the paper scale.**' : ''}`,
    '',
    '| | success | median T_eq/T | median speedup (paper) | median speedup (honest) | median end-to-end | final test acc (plain → plugin) | success, training loss | median T_eq/T, training loss | median honest speedup, training loss |',
    '|---|---|---|---|---|---|---|---|---|---|',
    mdRow(['paper, Table 2', `${PAPER_TABLE2.success * 100}%`, PAPER_TABLE2.teq, `${PAPER_TABLE2.speedup}×`, '—', '—', '—', '—', '—', '—']),
    ...(['paper', 'best'] as const).map((c) => {
      const r = rows.filter((x) => x.config === c);
      const med = (g: (x: RunRow) => number) => median(r.map(g).filter((v) => !Number.isNaN(v)));
      return mdRow([`ours, ${c} (${by[c].runs} runs)`, `${f(n(by[c].success_rate) * 100)}%`, f(by[c].median_teq_over_t), `${f(by[c].median_speedup_paper)}×`, `${f(by[c].median_speedup_honest)}×`, `${f(by[c].median_end_to_end)}×`, `${f(by[c].final_test_acc_plain)} → ${f(by[c].final_test_acc_plugin)}`, `${f((100 * r.filter((x) => x.success_train).length) / Math.max(1, r.length))}%`, f(med((x) => x.teq_train_over_t)), `${f(med((x) => x.speedup_honest_train))}×`]);
    }),
    '',
    `Definitions: T_eq by S4 eq. 12–13 on the plain run\'s test loss after t2 (first jump only), read on a grid finer than epochs — after t2 + 4, 8, 16, … steps and every ${Math.floor(s.stepsPerEpoch / 8)} steps up to t2 + T, at epoch ends after that — so a jump of a few dozen steps is not judged by a straight line between two epoch ends; T_eq/T divides by the steps that jump actually skipped (T for the paper recipe, the guard's choice for best). The training-loss columns do the same on the loss over a fixed subset of ${Math.min(10000, trainSize - s.valSize)} training samples. Speedup (paper) = plain optimizer time for T_eq steps ÷ extrapolation time of that jump; speedup (honest) = the same ÷ (recording + fitting + extrapolation + guard evaluations); end-to-end = the plain run\'s wall time to its best test loss ÷ the plugin run\'s wall time to reach that loss (0 when never reached, counted in the median; the best rather than the final loss because the test loss can rise again once the MLP over-fits). Wall times exclude the loss evaluations made for this report. The guard of the best config evaluates on ${s.valSize} held-out training samples, never on the test set.`,
    '',
    '## Goals',
    '',
    `- Success 100%: ${goal(n(best.success_rate) >= 1)} (best ${f(n(best.success_rate) * 100)}%, paper recipe ${f(n(by.paper.success_rate) * 100)}%).`,
    `- Median T_eq/T ≥ 1.0 (paper 0.97): ${goal(n(best.median_teq_over_t) >= 1)} (${f(best.median_teq_over_t)}).`,
    `- Honest speedup ≥ 30× (paper 15×, not honest): ${goal(n(best.median_speedup_honest) >= 30)} (${f(best.median_speedup_honest)}×)${n(best.median_speedup_honest) >= 30 ? '.' : ` — a jump skips at most T = ${T} steps (${f((T * stepMs) / 1000)} s of plain optimizer time at the measured ${f(stepMs)} ms per step), so 30× needs the whole jump decision to cost under ${f((T * stepMs) / 30 / 1000)} s; the best config's decisions cost a median ${f(jumpMs / 1000)} s each (recording, fitting ${f(fitMs / 1000)} s, extrapolation and guard evaluations ${f(guardMs / 1000)} s).`}`,
    `- End-to-end ≥ 1.3× faster to the same test loss: ${goal(n(best.median_end_to_end) >= 1.3)} (${f(best.median_end_to_end)}×)${n(best.median_end_to_end) >= 1.3 ? '.' : ` — the best config skipped a median ${f(skipped)} of the ${s.epochs * s.stepsPerEpoch} steps (${f((100 * skipped) / (s.epochs * s.stepsPerEpoch))}%), so even free jumps that landed exactly where the plain run would be could give at most ${f(1 / (1 - skipped / (s.epochs * s.stepsPerEpoch)))}×; the learning rate decays ×${s.gamma} per epoch, so late steps, the ones a jump skips, lower the loss least.`}`,
    `- Final test accuracy no worse than plain: ${goal(n(best.final_test_acc_plugin) >= n(best.final_test_acc_plain))} (medians ${n(best.final_test_acc_plain).toFixed(4)} → ${n(best.final_test_acc_plugin).toFixed(4)}; run by run the plugin's is at least the plain run's in ${bestRows.filter((r) => r.final_test_acc >= r.plain_final_test_acc).length} of ${bestRows.length} seeds, median difference ${(10000 * median(bestRows.map((r) => r.final_test_acc - r.plain_final_test_acc))).toFixed(1)} in 10⁴ — one test image is 10⁻⁴).`,
    '',
    '## Per run',
    '',
    ...mdHeader(['seed', 'config', 'accepted/jumps', 'first horizon (steps)', 'KO test loss', 'loss at t2', 'T_eq/T', 'speedup paper', 'speedup honest', 'KO training loss', 'training loss at t2', 'T_eq/T, training loss', 'end-to-end', 'final acc']),
    ...rows.map(
      (r) =>
        mdRow([r.seed, r.config, `${r.accepted_jumps}/${r.jumps}`, r.first_jump_horizon_steps, f(r.ko_test_loss, 4), f(r.loss_t2, 4), `${f(r.teq_over_t)}${r.censored ? '+' : ''}`, f(r.speedup_paper), f(r.speedup_honest), f(r.ko_train_loss, 4), f(r.train_loss_t2, 4), `${f(r.teq_train_over_t)}${r.censored_train ? '+' : ''}`, f(r.end_to_end), f(r.final_test_acc, 4)]),
    ),
    '',
    '`+` marks a censored T_eq (the Koopman loss is lower than every later plain loss: T_eq is at least the remaining steps).',
    '',
    '## Reading these numbers',
    '',
    `- With ${trainSize - s.valSize} training samples, an epoch of ${s.stepsPerEpoch} iterations is ${((s.stepsPerEpoch * s.batchSize) / Math.max(1, trainSize - s.valSize)).toFixed(1)} passes over the data, and the plain run\'s final test loss is above its loss at t2 in ${rows.filter((r) => r.config === 'paper' && r.plain_final_test_loss > r.loss_t2).length} of ${rows.filter((r) => r.config === 'paper').length} seeds (over-fitting; see test-loss.svg). T_eq (S4 eq. 12–13) assumes a falling loss: when the test loss rises after t2, a Koopman loss below ℓ(t2) counts as censored and one above ℓ(t2) as 0; the training-loss columns are free of this. With the embedded 8 000 digits an epoch is 7.5 passes and the test loss is lowest around epochs 1–2; with the paper\'s 60 000 digits (\`--data-dir\`) or Fashion-MNIST (\`--dataset fashion\`, 60 000 images) an epoch is about one pass.`,
    `- The paper recipe (unchecked full-rank node operators, T steps) raised the test loss in ${raised} of ${paperRows.length} seeds (or gave a non-finite prediction)${raised > paperRows.length / 2 ? ', as SPEC §6 found on the embedded digits before any code existed' : raised === 0 ? '; on the embedded 8 000 digits it raised it in every seed (SPEC §6 and the first reference run), where the MLP over-fits' : ''}. Its honest speedup is low because full-rank fits of the q = ${s.q} quasi-nodes on every step of the ${(s.t2 - s.t1) * s.stepsPerEpoch}-step window cost a median ${f(median(paperRows.map((r) => r.fit_ms)) / 1000)} s in all (plain JavaScript); the guarded configuration never accepts a jump that raises the held-out loss, but the held-out loss and the test loss disagree at the 0.1–1 % level, which is the size of the gains.`,
  ];
  return lines.join('\n') + '\n';
}
