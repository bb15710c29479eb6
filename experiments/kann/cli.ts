import { relative } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES } from '../../src/backend/select.js';
import { runKann } from './run.js';
import { KANN_SETTINGS, QUICK_KANN_SETTINGS, type KannSettings } from './settings.js';

const TASKS = ['copy', 'sentiment', 'beats'] as const;

export interface KannCommandArgs {
  task: (typeof TASKS)[number][];
  quick: boolean;
  epochs?: number;
  seed?: number;
  'sentiment-rate'?: number;
  'negation-rate'?: number;
  'review-length'?: number;
  'min-review-length'?: number;
  out: string;
  backend: string;
}

/** Settings from the command line: the reference settings, the quick preset with `--quick`, then the flags. */
export function kannSettingsFromArgs(a: Partial<KannCommandArgs>): KannSettings {
  const base = structuredClone(KANN_SETTINGS);
  const s: KannSettings = { ...base, ...(a.quick ? structuredClone(QUICK_KANN_SETTINGS) : {}), quick: !!a.quick };
  if (a.task && a.task.length) s.tasks = [...new Set(a.task)];
  if (a.epochs !== undefined) {
    if (!Number.isInteger(a.epochs) || a.epochs < 1) throw new Error(`--epochs must be an integer ≥ 1; got ${a.epochs}`);
    s.copy.epochs = s.sentiment.epochs = s.beats.epochs = a.epochs;
  }
  if (a.seed !== undefined) s.seed = Math.trunc(a.seed);
  const rate = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v >= 0 && v < 1)) throw new Error(`--${name} must be a number in [0, 1); got ${v}`);
    return v;
  };
  s.sentiment.sentimentRate = rate('sentiment-rate', a['sentiment-rate']) ?? s.sentiment.sentimentRate;
  s.sentiment.negationRate = rate('negation-rate', a['negation-rate']) ?? s.sentiment.negationRate;
  if (s.sentiment.sentimentRate + s.sentiment.negationRate >= 1) throw new Error('--sentiment-rate + --negation-rate must be below 1');
  if (a['review-length'] !== undefined) {
    if (!Number.isInteger(a['review-length']) || a['review-length'] < 2) throw new Error(`--review-length must be an integer ≥ 2; got ${a['review-length']}`);
    s.sentiment.length = a['review-length'];
  }
  if (a['min-review-length'] !== undefined) {
    if (!Number.isInteger(a['min-review-length']) || a['min-review-length'] < 1) throw new Error(`--min-review-length must be an integer ≥ 1; got ${a['min-review-length']}`);
    s.sentiment.minLength = a['min-review-length'];
  }
  if (s.sentiment.minLength > s.sentiment.length) throw new Error(`the shortest review (${s.sentiment.minLength}) is longer than the padded length (${s.sentiment.length})`);
  if (a.out !== undefined) s.out = a.out;
  if (a.backend !== undefined) s.backend = a.backend;
  return s;
}

function commandLine(argv: string[] = process.argv): string {
  const script = argv[1] ?? '';
  const rest = argv.slice(2).join(' ');
  return script.endsWith('.ts') ? `npx tsx ${relative(process.cwd(), script)} ${rest}`.trim() : `tfjs-koopman ${rest}`.trim();
}

/** `tfjs-koopman experiment kann`: KANN (seed 001) on the copy problem, synthetic sentiment and synthetic beats. */
export const kannCommand: CommandModule<object, KannCommandArgs> = {
  command: 'kann',
  describe: 'Koopman analysis of trained sequence models (seed 001): copy problem, synthetic sentiment (GRU), synthetic beats (LSTM autoencoder)',
  builder: (y: Argv<object>) =>
    y
      .option('task', { type: 'array', choices: [...TASKS], default: [...TASKS], describe: 'studies to run' })
      .option('quick', { type: 'boolean', default: false, describe: 'tiny models and data (seconds), for tests' })
      .option('epochs', { type: 'number', describe: 'training epochs of every model (overrides the settings)' })
      .option('seed', { type: 'number', describe: `data and initialiser seed [default: ${KANN_SETTINGS.seed}]` })
      .option('sentiment-rate', { type: 'number', describe: `share of sentiment words in a synthetic review [default: ${KANN_SETTINGS.sentiment.sentimentRate}]` })
      .option('negation-rate', { type: 'number', describe: `share of "not" + sentiment-word pairs [default: ${KANN_SETTINGS.sentiment.negationRate}]` })
      .option('review-length', { type: 'number', describe: `tokens per synthetic review after padding [default: ${KANN_SETTINGS.sentiment.length}]` })
      .option('min-review-length', { type: 'number', describe: `shortest review before padding (= --review-length: no padding) [default: ${KANN_SETTINGS.sentiment.minLength}]` })
      .option('out', { type: 'string', default: KANN_SETTINGS.out, describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: KANN_SETTINGS.backend, describe: 'tfjs backend' }) as unknown as Argv<KannCommandArgs>,
  handler: async (argv: ArgumentsCamelCase<KannCommandArgs>) => {
    const s = kannSettingsFromArgs(argv);
    const { summaryPath } = await runKann(s, commandLine());
    console.log(`KANN study written to ${s.out} (summary: ${summaryPath})`);
  },
};
