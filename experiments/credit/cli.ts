import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, selectBackend } from '../../src/backend/select.js';
import { runCreditExperiment } from './experiment.js';
import { PAPER_SETTINGS, QUICK_SETTINGS, type CreditSettings, type NetworkName } from './settings.js';

interface CreditArgs {
  seeds?: number;
  'seed-offset'?: number;
  network?: NetworkName[];
  components?: string;
  quick: boolean;
  out: string;
  backend: string;
}

/** Settings from CLI flags: the reference settings, scaled down by --quick, overridden by explicit flags. */
export function creditSettings(a: Partial<CreditArgs>): CreditSettings {
  const base = { ...PAPER_SETTINGS, ...(a.quick ? QUICK_SETTINGS : {}) };
  const s: CreditSettings = {
    ...base,
    networks: a.network ?? base.networks,
    seeds: a.seeds ?? base.seeds,
    seedOffset: a['seed-offset'] ?? base.seedOffset,
    components: a.components === undefined ? base.components : componentsFlag(a.components),
    out: a.out ?? 'results/credit',
    quick: Boolean(a.quick),
  };
  if (!(Number.isInteger(s.seeds) && s.seeds >= 1)) throw new Error(`--seeds must be an integer ≥ 1; got ${s.seeds}`);
  return s;
}

function componentsFlag(v: string): Record<NetworkName, number | 'all'> {
  const c = v === 'all' ? 'all' : Number(v);
  if (c !== 'all' && !(Number.isInteger(c) && c >= 1)) throw new Error(`--components must be an integer ≥ 1 or 'all'; got ${v}`);
  return { lenet5: c, 'n2-mlp': c };
}

export const creditCommand: CommandModule<object, CreditArgs> = {
  command: 'credit',
  describe: 'Seed 000: Koopman credit assignment of LeNet-5 and the N2 MLP on MNIST, checked against ablation',
  builder: (y: Argv<object>) =>
    y
      .option('seeds', { type: 'number', describe: 'seeds per network (default 3; 1 with --quick)' })
      .option('seed-offset', { type: 'number', describe: 'first seed (default 0)' })
      .option('network', { type: 'array', choices: ['lenet5', 'n2-mlp'], describe: 'networks (default both)' })
      .option('components', { type: 'string', describe: "principal directions kept per block boundary, or 'all' (default 32; 8 with --quick)" })
      .option('quick', { type: 'boolean', default: false, describe: 'scaled-down run (well under a minute)' })
      .option('out', { type: 'string', default: 'results/credit', describe: 'output folder' })
      .option('backend', { choices: [...BACKEND_CHOICES], default: 'wasm', describe: 'tfjs backend (wasm trains CNNs here)' }) as unknown as Argv<CreditArgs>,
  handler: async (a) => {
    const s = creditSettings(a);
    const b = await selectBackend(a.backend);
    const command = `npx tfjs-koopman ${process.argv.slice(2).join(' ')}`;
    const out = await runCreditExperiment(s, command, b.name);
    console.log(`wrote ${out.files.map((f) => `${s.out}/${f}`).join(', ')}`);
  },
};
