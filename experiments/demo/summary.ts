import type { ScheduleRecord } from '../../plugins/koopman-training/index.js';
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
  /** Optimizer steps taken until the target (linear between epoch ends; jumps' skipped steps are not taken). */
  stepsToTarget: number;
  /** The same two in CPU seconds of this process. */
  cpuToTargetS: number;
  cpuSpeedup: number;
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
  /** Decisions made in full. */
  tried: number;
  /** Decisions abandoned part-way to stay within the budget. */
  abandoned: number;
  skippedSteps: number;
  /** The plugin's total seconds (recording, fits, extrapolation, guard, and the recording of decisions skipped for the budget). */
  spentS: number;
  /** Decisions the auto schedule skipped to stay within its budget. */
  budgetSkips: number;
}


export interface DemoSummary {
  /** The plain run's final test loss: the mean of its last 3 evaluations. */
  target: number;
  methods: MethodSummary[];
  schedule: ScheduleRecord | null;
  /** The plugin's notes (what it chose, in words). */
  notes: string[];
}

/** The table's numbers, from the three runs (plain first). */
export function summarize(runs: readonly DemoRun[], stepsPerEpoch: number): DemoSummary {
  const plain = runs.find((r) => r.method === 'plain');
  if (!plain) throw new Error('summarize: the plain run is missing');
  const target = targetLoss(plain.testLoss.slice(1), 3);
  const plainT = timeToTarget(plain.testLoss, plain.wallS, target);
  const plainCpu = timeToTarget(plain.testLoss, plain.cpuS, target);
  let schedule: ScheduleRecord | null = null;
  let notes: string[] = [];
  const methods = runs.map((r): MethodSummary => {
    const t = timeToTarget(r.testLoss, r.wallS, target);
    const cpu = timeToTarget(r.testLoss, r.cpuS, target);
    const steps = timeToTarget(r.testLoss, r.testLoss.map((_, e) => e * stepsPerEpoch), target);
    const rep = r.report;
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
      stepsToTarget: steps,
      cpuToTargetS: cpu,
      cpuSpeedup: plainCpu / cpu,
      finalLoss: r.testLoss[r.testLoss.length - 1],
      finalAcc: r.testAcc[r.testAcc.length - 1],
      totalS: r.wallS[r.wallS.length - 1],
      recordS: sum((j) => j.recordMs),
      fitS: sum((j) => j.fitMs),
      extrapolateS: sum((j) => j.extrapolateMs),
      guardS: sum((j) => j.guardMs),
      accepted: rep ? rep.jumps.filter((j) => j.accepted).length : NaN,
      tried: rep ? rep.jumps.filter((j) => j.projectedMs === undefined).length : NaN,
      abandoned: rep ? rep.jumps.filter((j) => j.projectedMs !== undefined).length : NaN,
      skippedSteps: rep ? rep.skippedSteps : NaN,
      spentS: rep ? rep.spentMs / 1000 : NaN,
      budgetSkips: rep ? rep.budgetSkips : NaN,
    };
  });
  return { target, methods, schedule, notes };
}

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** The table as aligned plain text (the headline first), then one line per term. */
export function formatSummary(sum: DemoSummary, runs: readonly DemoRun[], s: DemoSettings, testCount: number): string {
  const m = sum.methods;
  const col = (f: (x: MethodSummary) => string) => m.map(f);
  const ema = runs.find((r) => r.method === 'ema');
  const rows: string[][] = [
    ['', ...col((x) => x.label)],
    [
      `time to the target loss ${sum.target.toFixed(4)} (s)`,
      ...col((x) => (Number.isFinite(x.timeToTargetS) ? `${x.timeToTargetS.toFixed(1)} (${x.speedup.toFixed(2)}× plain)` : 'not reached')),
    ],
    ['optimizer steps to the target', ...col((x) => (Number.isFinite(x.stepsToTarget) ? x.stepsToTarget.toFixed(0) : 'not reached'))],
    ['final test loss', ...col((x) => x.finalLoss.toFixed(4))],
    ['final test accuracy', ...col((x) => `${(100 * x.finalAcc).toFixed(1)} %`)],
    ['total training time (s)', ...col((x) => x.totalS.toFixed(1))],
    ['plugin spent: record / fit / guard (s)', ...col((x) => (x.method === 'koopman' ? `${num(x.recordS, 2)} / ${num(x.fitS, 2)} / ${num(x.guardS, 2)} (all ${num(x.spentS, 2)})` : '–'))],
    ['jumps accepted / tried', ...col((x) => (x.method === 'koopman' ? `${x.accepted} / ${x.tried}${x.abandoned > 0 ? ` (${x.abandoned} abandoned for the budget)` : ''}` : '–'))],
    ['optimizer steps skipped', ...col((x) => (x.method === 'koopman' ? String(x.skippedSteps) : '–'))],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(w[i])).join('   ').trimEnd());
  const steps = s.epochs * s.stepsPerEpoch;
  const lines = [
    ...table,
    '',
    `the same race in CPU seconds of this process (steadier when other programs share the machine): time to the target ${m
      .map((x) => `${x.label} ${Number.isFinite(x.cpuToTargetS) ? `${x.cpuToTargetS.toFixed(1)} (${x.cpuSpeedup.toFixed(2)}×)` : 'not reached'}`)
      .join(', ')}`,
    `auto schedule chose: ${describeSchedule(sum.schedule, sum.methods.find((x) => x.method === 'koopman')?.budgetSkips ?? NaN)}`,
    '',
    'How to read it:',
    `- target: the plain run's final test loss, the mean of its last 3 evaluations (one per epoch, on the ${testCount} test digits).`,
    `- time to the target: training wall-clock seconds until the test loss first reaches the target (linear between epoch ends).`,
    `- × plain: plain's time to the target ÷ this method's; above 1 is faster than plain, below 1 slower.`,
    `- steps to the target: optimizer steps taken until then (linear between epoch ends): free of the clock's noise, blind to what a method costs besides its steps.`,
    `- all times leave out the test-loss evaluations made only for this report (timed and subtracted); they include everything each method does.`,
    `- EMA: an exponential moving average of the weights, avg ← ${num(ema?.emaDecay ?? NaN, 4)}·avg + ${num(1 - (ema?.emaDecay ?? NaN), 4)}·weights after every step (an average over about the last ${Math.round(s.emaShare * steps)} of the ${steps} steps); it is scored on the average, training uses the raw weights.`,
    `- koopmanTraining: records the weights during training, fits a linear model of how they move, and jumps them ahead along it.`,
    `- guard: each jump is tried on ${s.guardSize} training digits held out of training (never the test set) and kept only if their loss falls; otherwise the weights are put back.`,
    `- jumps accepted / tried: decisions that kept a jump / decisions made in full; 'abandoned' ones stopped part-way because finishing them would have passed the budget.`,
    `- optimizer steps skipped: steps the accepted jumps stand for (the weights moved as if trained that many more steps); every run takes the same ${steps} steps.`,
    `- record / fit / guard: the plugin's seconds copying weights, fitting the linear model and scoring jumps on the guard digits ('all' adds moving the weights along the fit); all inside its training time.`,
    `- budget: the share of this run's planned training time the plugin may spend (plus the time its accepted jumps saved); a decision that would pass what is left is abandoned part-way, and a later one the budget cannot cover is skipped.`,
  ];
  return lines.join('\n');
}

/** The partition kinds in a newcomer's words. */
const PARTITION_WORDS: Readonly<Record<string, string>> = Object.freeze({
  network: 'all weights in one linear model',
  layer: 'one linear model per layer',
  node: 'one linear model per unit, on the weights entering it',
  'quasi-node': "one linear model per chunk of a unit's weights",
  single: 'one per weight',
});

/** What the auto schedule chose, in words (from kt.report.schedule). */
export function describeSchedule(c: ScheduleRecord | null, budgetSkips: number): string {
  if (!c) return 'not reported (the plugin never set up)';
  const what = PARTITION_WORDS[c.partition];
  const ops = `${c.groups === 1 ? 'one' : c.groups} '${c.partition}' operator${c.groups === 1 ? '' : 's'}${what ? ` (${what})` : ''}`;
  const snaps = Math.floor((c.window.end - c.window.start) / c.recordEvery) + 1;
  const cands = c.candidates
    ? c.candidates.length > 4
      ? `${c.candidates.slice(0, 3).join(', ')}, …, ${c.candidates[c.candidates.length - 1]}`
      : c.candidates.join(', ')
    : null;
  return [
    ops,
    `a snapshot every ${c.recordEvery === 1 ? 'step' : `${c.recordEvery} steps`} (${snaps} per decision)`,
    c.every !== null ? `a decision every ${c.every} steps from step ${c.window.end}` : `one decision at step ${c.window.end}`,
    cands ? `jumps of ${cands} steps tried by the guard` : 'jumps unchecked',
    c.budget !== null ? `budget ${(100 * c.budget).toFixed(0)} %` : 'no budget',
    `${budgetSkips} decision${budgetSkips === 1 ? '' : 's'} skipped for the budget`,
  ].join('; ');
}
