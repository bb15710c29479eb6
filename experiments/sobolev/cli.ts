import { relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type SobolevSettings } from './settings.js';
import { rewriteSobolevReport, runSobolevStudy } from './study.js';

export interface SobolevArgs {
  seeds?: number;
  'seed-offset'?: number;
  steps?: number;
  points?: number;
  lr?: number;
  scale?: 'linear' | 'exponential';
  quick: boolean;
  'report-only'?: boolean;
  out: string;
  backend: string;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be an integer ≥ 1; got ${v}`);
  return v;
}

/** Settings from flags: the defaults, then --quick, then every flag given. */
export function sobolevSettings(a: Partial<SobolevArgs>): SobolevSettings {
  const s: SobolevSettings = { ...PAPER_SETTINGS, ...(a.quick ? QUICK_SETTINGS : {}) };
  if (a.seeds !== undefined) s.seeds = positiveInt('seeds', a.seeds);
  if (a['seed-offset'] !== undefined) s.seedOffset = Math.trunc(a['seed-offset']);
  if (a.steps !== undefined) s.steps = positiveInt('steps', a.steps);
  if (a.points !== undefined) s.points = positiveInt('points', a.points);
  if (a.lr !== undefined) {
    if (!(a.lr > 0)) throw new Error(`--lr must be > 0; got ${a.lr}`);
    s.learningRate = a.lr;
  }
  if (a.scale !== undefined) s.scale = a.scale;
  const top = s.scale === 'linear' ? s.layers - 1 : 2 ** (s.layers - 1);
  if (2 * top > s.points) throw new Error(`--points (${s.points}) must be at least ${2 * top} to hold the top shell k = ${top}`);
  return s;
}

function commandLine(argv: string[] = process.argv): string {
  const script = argv[1] ?? '';
  const rest = argv.slice(2).join(' ');
  return script.endsWith('.ts') ? `npx tsx ${relative(process.cwd(), script)} ${rest}`.trim() : `tfjs-koopman ${rest}`.trim();
}

/** `tfjs-koopman experiment sobolev`: seed 003's negative-Sobolev losses against L² on a noisy multi-scale signal. */
export const sobolevCommand: CommandModule<object, SobolevArgs> = {
  command: 'sobolev',
  describe: "Seed 003: L² vs Sobolev losses 1 and 2 reconstructing x + sin(2πx⁴) from noisy samples with a 9 × 20 network",
  builder: (y: Argv<object>) =>
    y
      .option('seeds', { type: 'number', describe: `seeds (noise, split, weights) [default: ${PAPER_SETTINGS.seeds}; quick ${QUICK_SETTINGS.seeds}]` })
      .option('seed-offset', { type: 'number', describe: `first seed [default: ${PAPER_SETTINGS.seedOffset}]` })
      .option('steps', { type: 'number', describe: `full-batch Adam steps [default: ${PAPER_SETTINGS.steps}; quick ${QUICK_SETTINGS.steps}]` })
      .option('points', { type: 'number', describe: `grid points on [0, 2) [default: ${PAPER_SETTINGS.points}; quick ${QUICK_SETTINGS.points}]` })
      .option('lr', { type: 'number', describe: `Adam learning rate [default: ${PAPER_SETTINGS.learningRate}]` })
      .option('scale', { choices: ['linear', 'exponential'] as const, describe: 'scale function s(ℓ) = ℓ or 2^ℓ [default: linear, as the seed]' })
      .option('quick', { type: 'boolean', default: false, describe: 'small, fast run (3 hidden layers, 150 steps, one seed)' })
      .option('report-only', { type: 'boolean', default: false, describe: 'rewrite summary.csv and summary.md from --out/runs.csv (same flags as the run), without training' })
      .option('out', { type: 'string', default: 'results/sobolev', describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'auto', describe: 'tfjs backend' }) as unknown as Argv<SobolevArgs>,
  handler: async (a) => {
    const s = sobolevSettings(a);
    if (a['report-only']) {
      console.log(`summary rewritten from runs.csv: ${rewriteSobolevReport(s, a.out, commandLine(), a.quick, a.backend)}`);
      return;
    }
    await selectBackend(a.backend);
    const { summaryPath } = await runSobolevStudy(s, a.out, commandLine(), a.quick);
    console.log(`sobolev study written to ${a.out} (summary: ${summaryPath})`);
  },
};
