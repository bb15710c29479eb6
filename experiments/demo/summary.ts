import { targetLoss, timeToTarget } from '../shared/target.js';
import { METHOD_LABELS, type DemoMethod, type DemoRun } from './run.js';
import type { DemoSettings } from './settings.js';

/** One column of the demo's table. */
export interface MethodSummary {
  method: DemoMethod;
  label: string;
  /** Training wall seconds until the test loss first reaches the target (NaN: never). */
  timeToTargetS: number;
  /** Plain's time to the target ÷ this method's (> 1: faster than plain; NaN when not reached). */
  speedup: number;
  finalLoss: number;
  finalAcc: number;
  /** Training wall seconds of the whole run (report evaluations excluded). */
  totalS: number;
  /** The plugin's seconds copying weights, fitting operators, extrapolating and evaluating guard candidates (koopman only, else NaN). */
  recordS: number;
  fitS: number;
  extrapolateS: number;
  guardS: number;
  accepted: number;
  tried: number;
  skippedSteps: number;
  /** Decisions the auto schedule skipped to stay within its budget (NaN when the report has no count). */
  budgetSkips: number;
}

/** What the auto schedule chose, as kt.report.schedule states it. */
export interface ChosenSchedule {
  auto: boolean;
  partition: string;
  recordEvery: number;
  window: number;
  every: number;
  candidates: number[];
  budget: number;
}

export interface DemoSummary {
  /** The plain run's final test loss: the mean of its last 3 evaluations. */
  target: number;
  methods: MethodSummary[];
  schedule: ChosenSchedule | null;
  /** The plugin's notes (what it chose, in words). */
  notes: string[];
}

/** The table's numbers, from the three runs (plain first). */
export function summarize(runs: readonly DemoRun[]): DemoSummary {
  const plain = runs.find((r) => r.method === 'plain');
  if (!plain) throw new Error('summarize: the plain run is missing');
  const target = targetLoss(plain.testLoss.slice(1), 3);
  const plainT = timeToTarget(plain.testLoss, plain.wallS, target);
  let schedule: ChosenSchedule | null = null;
  let notes: string[] = [];
  const methods = runs.map((r): MethodSummary => {
    const t = timeToTarget(r.testLoss, r.wallS, target);
    const rep = r.report as (NonNullable<DemoRun['report']> & { schedule?: ChosenSchedule; budgetSkips?: number }) | null;
    const sum = (f: (j: NonNullable<DemoRun['report']>['jumps'][number]) => number) => (rep ? rep.jumps.reduce((a, j) => a + f(j), 0) / 1000 : NaN);
    if (rep) {
      schedule = rep.schedule ?? null;
      notes = rep.notes;
    }
    return {
      method: r.method,
      label: METHOD_LABELS[r.method],
      timeToTargetS: t,
      speedup: plainT / t,
      finalLoss: r.testLoss[r.testLoss.length - 1],
      finalAcc: r.testAcc[r.testAcc.length - 1],
      totalS: r.wallS[r.wallS.length - 1],
      recordS: sum((j) => j.recordMs),
      fitS: sum((j) => j.fitMs),
      extrapolateS: sum((j) => j.extrapolateMs),
      guardS: sum((j) => j.guardMs),
      accepted: rep ? rep.jumps.filter((j) => j.accepted).length : NaN,
      tried: rep ? rep.jumps.length : NaN,
      skippedSteps: rep ? rep.skippedSteps : NaN,
      budgetSkips: rep?.budgetSkips ?? NaN,
    };
  });
  return { target, methods, schedule, notes };
}

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The table as aligned plain text (the headline first), then one line per term. */
export function formatSummary(sum: DemoSummary, runs: readonly DemoRun[], s: DemoSettings): string {
  const m = sum.methods;
  const col = (f: (x: MethodSummary) => string) => m.map(f);
  const ema = runs.find((r) => r.method === 'ema');
  const rows: string[][] = [
    ['', ...col((x) => x.label)],
    [
      `time to the target loss ${sum.target.toFixed(4)} (s)`,
      ...col((x) => (Number.isFinite(x.timeToTargetS) ? `${x.timeToTargetS.toFixed(1)} (${x.speedup.toFixed(2)}× plain)` : 'not reached')),
    ],
    ['final test loss', ...col((x) => x.finalLoss.toFixed(4))],
    ['final test accuracy', ...col((x) => `${(100 * x.finalAcc).toFixed(1)} %`)],
    ['total training time (s)', ...col((x) => x.totalS.toFixed(1))],
    ['plugin spent: record / fit / guard (s)', ...col((x) => (x.method === 'koopman' ? `${num(x.recordS, 2)} / ${num(x.fitS, 2)} / ${num(x.guardS, 2)}` : '–'))],
    ['jumps accepted / tried', ...col((x) => (x.method === 'koopman' ? `${x.accepted} / ${x.tried}` : '–'))],
    ['optimizer steps skipped', ...col((x) => (x.method === 'koopman' ? String(x.skippedSteps) : '–'))],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('   ').trimEnd());
  const steps = s.epochs * s.stepsPerEpoch;
  const lines = [
    ...table,
    '',
    `auto schedule chose: ${describeSchedule(sum.schedule, sum.methods.find((x) => x.method === 'koopman')?.budgetSkips ?? NaN)}`,
    '',
    'How to read it:',
    `- target: the plain run's final test loss, the mean of its last 3 evaluations (one per epoch, on the 2 000 test digits).`,
    `- time to the target: training wall-clock seconds until the test loss first reaches the target (linear between epoch ends).`,
    `- × plain: plain's time to the target ÷ this method's; above 1 is faster than plain, below 1 slower.`,
    `- all times leave out the test-loss evaluations made only for this report (timed and subtracted); they include everything each method does.`,
    `- EMA: an exponential moving average of the weights, avg ← ${num(ema?.emaDecay ?? NaN, 4)}·avg + ${num(1 - (ema?.emaDecay ?? NaN), 4)}·weights after every step (about the last ${Math.round(s.emaShare * 100)} % of the ${steps} steps); it is scored on the average, training uses the raw weights.`,
    `- koopmanTraining: records the weights during training, fits a linear model of how they move, and jumps them ahead along it.`,
    `- guard: each jump is tried on ${s.guardSize} training digits held out of training (never the test set) and kept only if their loss falls; otherwise the weights are put back.`,
    `- jumps accepted / tried: decisions that kept a jump / all decisions made.`,
    `- optimizer steps skipped: steps the accepted jumps stand for (the weights moved as if trained that many more steps); every run takes the same ${steps} steps.`,
    `- record / fit / guard: the plugin's seconds copying weights, fitting the linear model and scoring jumps on the guard digits; all inside its training time.`,
    `- budget: the auto schedule skips a decision when its total cost would pass that share of the training time so far.`,
  ];
  return lines.join('\n');
}

/** What the auto schedule chose, in words. */
export function describeSchedule(c: ChosenSchedule | null, budgetSkips: number): string {
  if (!c) return 'not reported';
  const skips = Number.isFinite(budgetSkips) ? `; ${budgetSkips} decision${budgetSkips === 1 ? '' : 's'} skipped for the budget` : '';
  return (
    `one '${c.partition}' operator, a snapshot every ${c.recordEvery} steps over a ${c.window}-step window, a decision every ${c.every} steps, ` +
    `jumps of ${c.candidates.join(', ')} steps tried, budget ${(100 * c.budget).toFixed(0)} % of the training time${skips}`
  );
}
