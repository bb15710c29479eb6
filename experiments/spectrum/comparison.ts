import type * as tf from '@tensorflow/tfjs';
import type { SpectrumMonitorArgs } from '../../plugins/spectrum-monitor/index.js';
import type { RunLog } from './record.js';
import { epochLogs, replayEarlyStopping, replaySpectrumMonitor, type ReplayOutcome } from './replay.js';
import type { SpectrumStudySettings } from './settings.js';
import { PRECHELT_RULES, paretoFront, precheltName, replayPrechelt, scoreOutcome } from './stopping-rules.js';
import { median } from '../../src/metrics/index.js';

/** Patiences of the earlyStopping rows (tf.callbacks.earlyStopping, replayed by hand). */
export const ES_PATIENCES = [1, 2, 3, 5, 10, 20] as const;

export type MethodFamily = 'early-stopping' | 'prechelt' | 'spectrum' | 'full-budget';

/** One stopping method of the comparison. */
export interface ComparedMethod {
  name: string;
  family: MethodFamily;
  /** Monitor options (spectrum rows only). */
  monitor?: SpectrumMonitorArgs;
}

/**
 * The spectrum-monitor settings compared: the study's (`spectrum`), the tuning grid's runner-up
 * (radius 0.01), and both with the patience tail of their earlyStopping rule shortened to 5 and 3.
 */
export function spectrumVariants(s: Pick<SpectrumStudySettings, 'monitor' | 'alternatives'>): ComparedMethod[] {
  const r01 = s.alternatives['nearOneRadius 0.01'] ?? { ...s.monitor, nearOneRadius: 0.01 };
  return [
    { name: 'spectrum', family: 'spectrum', monitor: s.monitor },
    { name: 'spectrum-patience-5', family: 'spectrum', monitor: { ...s.monitor, patience: 5 } },
    { name: 'spectrum-patience-3', family: 'spectrum', monitor: { ...s.monitor, patience: 3 } },
    { name: 'spectrum-radius-0.01', family: 'spectrum', monitor: r01 },
    { name: 'spectrum-radius-0.01-patience-5', family: 'spectrum', monitor: { ...r01, patience: 5 } },
  ];
}

/** Every method of the comparison, in table order. */
export function comparedMethods(s: Pick<SpectrumStudySettings, 'monitor' | 'alternatives'>): ComparedMethod[] {
  return [
    ...ES_PATIENCES.map((p): ComparedMethod => ({ name: `early-stopping-${p}`, family: 'early-stopping' })),
    ...PRECHELT_RULES.map((r): ComparedMethod => ({ name: precheltName(r), family: 'prechelt' })),
    ...spectrumVariants(s),
    { name: 'full-budget', family: 'full-budget' },
  ];
}

/**
 * Replays every method of {@link comparedMethods} on one recorded run: earlyStopping through
 * tfjs's own callback (`flag` holds its stopTraining flag), Prechelt's rules on the validation
 * loss and fit()'s epoch loss, the monitors through attach/afterEpoch.
 */
export async function replayComparison(
  log: RunLog,
  methods: ComparedMethod[],
  monitorKey: string,
  flag: tf.LayersModel,
): Promise<Record<string, ReplayOutcome>> {
  const logs = log.fitLoss.map((_, e) => epochLogs(log, e));
  const val = logs.map((l) => l[monitorKey === 'val_loss' ? 'val_loss' : monitorKey]);
  const train = log.fitLoss;
  const out: Record<string, ReplayOutcome> = {};
  for (const m of methods) {
    if (m.family === 'early-stopping') {
      out[m.name] = await replayEarlyStopping(logs, { monitor: monitorKey, patience: Number(m.name.slice('early-stopping-'.length)) }, flag);
    } else if (m.family === 'prechelt') {
      const rule = PRECHELT_RULES.find((r) => precheltName(r) === m.name)!;
      out[m.name] = replayPrechelt(rule, val, train);
    } else if (m.family === 'spectrum') {
      const { decisions: _unused, ...o } = await replaySpectrumMonitor(log, m.monitor!, null);
      out[m.name] = o;
    } else {
      out[m.name] = { epochsUsed: logs.length, stopEpoch: null, action: 'none', rule: 'budget', reason: 'the whole budget' };
    }
  }
  return out;
}

/** One method's row of the comparison, scored one way. */
export interface ComparisonRow {
  method: string;
  family: MethodFamily;
  restore: boolean;
  runs: number;
  medianEpochs: number;
  medianTestLoss: number;
  /** Medians over runs of (epochs, test loss) ÷ earlyStopping(10)'s, scored the same way. */
  pairedEpochRatio: number;
  pairedLossRatio: number;
  /** Runs with ≥ 30% fewer epochs than earlyStopping(10) at ≤ 1% worse test loss. */
  runsMeetingGoal: number;
  onParetoFront: boolean;
}

/**
 * The comparison rows over the good runs: every method scored on its final weights and on its
 * restored best-epoch weights; the Pareto front of (median epochs, median test loss) within each
 * scoring. Cost O(methods² + methods · runs · epochs).
 */
export function comparisonRows(
  runs: { points: RunLog['points'] }[],
  outcomes: Record<string, ReplayOutcome>[],
  methods: ComparedMethod[],
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const restore of [false, true]) {
    const score = (i: number, name: string) => {
      const s = scoreOutcome(runs[i].points, outcomes[i][name]);
      return { e: s.epochsUsed, l: restore ? s.restoredTestLoss : s.finalTestLoss };
    };
    const group = methods.map((m): ComparisonRow => {
      const per = runs.map((_, i) => score(i, m.name));
      const ref = runs.map((_, i) => score(i, 'early-stopping-10'));
      const ratios = per.map((p, i) => ({ e: p.e / ref[i].e, l: p.l / ref[i].l }));
      return {
        method: m.name,
        family: m.family,
        restore,
        runs: runs.length,
        medianEpochs: median(per.map((p) => p.e)),
        medianTestLoss: median(per.map((p) => p.l)),
        pairedEpochRatio: median(ratios.map((r) => r.e)),
        pairedLossRatio: median(ratios.map((r) => r.l)),
        runsMeetingGoal: ratios.filter((r) => r.e <= 0.7 && r.l <= 1.01).length,
        onParetoFront: false,
      };
    });
    const front = paretoFront(group.map((g) => ({ x: g.medianEpochs, y: g.medianTestLoss })));
    group.forEach((g, i) => (g.onParetoFront = front[i]));
    rows.push(...group);
  }
  return rows;
}

/**
 * What any rule could do with restore on these runs: per run, the fewest epochs e whose restored
 * weights (best validation epoch up to e) have a test loss ≤ 1.01 × earlyStopping(10)'s restored
 * one, as a ratio to earlyStopping(10)'s epochs; medians and the runs where it is ≤ 0.7.
 */
export function restoreOracle(runs: { points: RunLog['points'] }[], es10: ReplayOutcome[]): { earliestRatio: number; reachable: number } {
  const ratios = runs.map((r, i) => {
    const e10 = es10[i].epochsUsed;
    const ref = scoreOutcome(r.points, es10[i]).restoredTestLoss;
    for (let e = 1; e <= e10; e++) if (scoreOutcome(r.points, { epochsUsed: e }).restoredTestLoss <= 1.01 * ref) return e / e10;
    return 1;
  });
  return { earliestRatio: median(ratios), reachable: ratios.filter((x) => x <= 0.7).length };
}
