/** `--report-only`: the study's results read back from its CSVs, replayed with the current monitor options. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cellNumber, readCsv, writeCsv } from '../shared/report/index.js';
import { pushRows } from './csv-rows.js';
import type { Fig2Numbers, Fig2Observable, WindowLabel } from './fig2.js';
import { METHODS, type MethodName, type RunResult } from './measures.js';
import { readStudyMeta } from './meta.js';
import { flagModel, replayMethods } from './methods.js';
import type { GoodInit, Init, StudyModel } from './model.js';
import type { LossPoint, RunLog } from './record.js';
import { runComparison, writeComparison } from './comparison-report.js';
import type { ReplayOutcome } from './replay.js';
import type { SpectrumStudySettings } from './settings.js';
import { writeSummary } from './summary.js';

/**
 * Rebuilds every run's results from the CSVs a study wrote (runs.csv, decisions.csv, fig2.csv,
 * run-stats.csv), so the summary can be rewritten without training again. Throws naming the file
 * when a run is missing from one of them.
 */
export function loadStudyResults(out: string, alternatives: string[], replayed = false): RunResult[] {
  // (alternatives: the names whose 'spectrum (name)' rows to read; [] when they will be replayed)
  // (replayed: the decisions will be replayed, so runs without rows in decisions.csv — added by --add-runs — are kept)
  const read = (f: string) => {
    const p = join(out, f);
    if (!existsSync(p)) throw new Error(`${p} not found: --report-only needs the CSVs of a finished study`);
    return readCsv(p);
  };
  const runs = read('runs.csv');
  const decisions = read('decisions.csv');
  const fig2 = read('fig2.csv');
  const stats = read('run-stats.csv');
  const key = (r: Record<string, string>) => `${r.model}|${r.init}|${r.seed}`;
  const order: string[] = [];
  const points = new Map<string, LossPoint[]>();
  for (const r of runs) {
    const k = key(r);
    if (!points.has(k)) {
      points.set(k, []);
      order.push(k);
    }
    const p = points.get(k)!;
    if (cellNumber(r.epoch) !== p.length) throw new Error(`runs.csv: run ${k} skips from epoch ${p.length - 1} to ${r.epoch}`);
    p.push({ trainLoss: cellNumber(r.train_loss), valLoss: cellNumber(r.val_loss), testLoss: cellNumber(r.test_loss), testAcc: cellNumber(r.test_acc) });
  }
  return order.map((k) => {
    const first = runs.find((r) => key(r) === k)!;
    const ds = decisions.filter((r) => key(r) === k);
    const outcome = (method: string): ReplayOutcome => {
      const d = ds.find((r) => r.method === method);
      if (!d && replayed) return { epochsUsed: 0, stopEpoch: null, action: 'none', rule: 'budget', reason: 'to be replayed' };
      if (!d) throw new Error(`decisions.csv: no '${method}' row for run ${k}`);
      return {
        epochsUsed: cellNumber(d.epochs_used),
        stopEpoch: d.stop_epoch === '' ? null : cellNumber(d.stop_epoch),
        action: d.action as ReplayOutcome['action'],
        rule: d.rule,
        reason: d.reason,
      };
    };
    const st = stats.find((r) => key(r) === k);
    if (!st) throw new Error(`run-stats.csv: no row for run ${k}`);
    const pts = points.get(k)!;
    return {
      spec: { model: first.model as StudyModel, init: first.init as Init | GoodInit, seed: cellNumber(first.seed) },
      bad: first.bad === 'true',
      budget: pts.length - 1,
      points: pts,
      outcomes: Object.fromEntries(METHODS.map((m) => [m, outcome(m)])) as Record<MethodName, ReplayOutcome>,
      alternatives: Object.fromEntries(alternatives.map((a) => [a, outcome(`spectrum (${a})`)])),
      fig2: fig2
        .filter((r) => key(r) === k)
        .map(
          (r): Fig2Numbers => ({
            observable: r.observable as Fig2Observable,
            label: r.window_label as WindowLabel,
            window: cellNumber(r.window),
            delays: cellNumber(r.delays),
            rank: cellNumber(r.rank),
            kept: cellNumber(r.kept),
            shareNearOne: cellNumber(r.share_near_one),
            shareNearZero: cellNumber(r.share_near_zero),
            meanModulus: cellNumber(r.mean_modulus),
            leadingTransient: cellNumber(r.leading_transient_modulus),
          }),
        ),
      weightDrift: cellNumber(st.weight_drift),
      firstEpochMove: cellNumber(st.first_epoch_weight_move),
    };
  });
}

/** The recorded losses of every run in runs.csv, as replayable logs (no weights). */
export function loadRunLogs(out: string): RunLog[] {
  const p = join(out, 'runs.csv');
  if (!existsSync(p)) throw new Error(`${p} not found: --report-only needs the CSVs of a finished study`);
  const logs = new Map<string, RunLog>();
  for (const r of readCsv(p)) {
    const k = `${r.model}|${r.init}|${r.seed}`;
    let log = logs.get(k);
    if (!log) {
      log = { model: r.model as StudyModel, init: r.init as Init, seed: cellNumber(r.seed), bad: r.bad === 'true', points: [], fitLoss: [], epochMs: [], weights: null, weightCount: 0 };
      logs.set(k, log);
    }
    if (cellNumber(r.epoch) !== log.points.length) throw new Error(`runs.csv: run ${k} skips from epoch ${log.points.length - 1} to ${r.epoch}`);
    log.points.push({ trainLoss: cellNumber(r.train_loss), valLoss: cellNumber(r.val_loss), testLoss: cellNumber(r.test_loss), testAcc: cellNumber(r.test_acc) });
    if (log.points.length > 1) {
      log.fitLoss.push(cellNumber(r.fit_loss));
      log.epochMs.push(cellNumber(r.epoch_ms));
    }
  }
  return [...logs.values()];
}

/**
 * `--report-only`: replays every stopping method (with the current monitor options) on the losses
 * recorded in runs.csv, rewrites decisions.csv and monitor-decisions.csv, and rewrites summary.md
 * and summary.csv with the Fig. 2 numbers of fig2.csv — no training. Monitors that observe the
 * weights cannot be replayed this way (the weights are not stored).
 */
export async function rewriteStudyReport(s: SpectrumStudySettings): Promise<string> {
  const meta = readStudyMeta(s.out);
  const stored = loadStudyResults(s.out, [], true);
  const logs = loadRunLogs(s.out);
  const dummy = flagModel();
  const decisionRows: Record<string, unknown>[] = [];
  const monitorRows: Record<string, unknown>[] = [];
  const results: RunResult[] = [];
  try {
    for (const log of logs) {
      const { outcomes, alternatives, decisions } = await replayMethods(log, s, { dummy, replay: null });
      const old = stored.find((r) => r.spec.model === log.model && r.spec.init === log.init && r.spec.seed === log.seed)!;
      results.push({ ...old, outcomes, alternatives });
      pushRows(log, { ...outcomes, ...Object.fromEntries(Object.entries(alternatives).map(([k, v]) => [`spectrum (${k})`, v])) }, decisions, [], {
        epochRows: [],
        decisionRows,
        monitorRows,
        fig2Rows: [],
      });
    }
  } finally {
    dummy.dispose();
  }
  writeCsv(join(s.out, 'decisions.csv'), decisionRows);
  writeCsv(join(s.out, 'monitor-decisions.csv'), monitorRows);
  const path = writeSummary(s, results, meta);
  writeComparison(s, await runComparison(s, logs));
  return path;
}
