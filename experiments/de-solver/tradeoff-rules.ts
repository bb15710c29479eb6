/**
 * Horizon rules of the DE solver's trade-off (what a jump would pick from the scored candidates
 * of one window) and their summary over runs: medians by optimizer, fit, window end and rule.
 */
import { median } from '../../src/metrics/index.js';
import type { TradeoffRow } from './tradeoff-score.js';

/** What a horizon rule picks at one window end, from the rows of that window (null: no jump). */
export type HorizonRule = (rows: TradeoffRow[]) => TradeoffRow | null;

/** The plugin's guard: the candidate with the lowest finite loss, if below the loss at the window end. */
export const guardRule: HorizonRule = (rows) => {
  let best: TradeoffRow | null = null;
  for (const r of rows) if (Number.isFinite(r.loss_ko) && r.loss_ko < r.loss_end && (!best || r.loss_ko < best.loss_ko)) best = r;
  return best;
};

/**
 * The plugin's guard with guard.agreement τ: among the candidates whose two fits disagree by at
 * most τ of the jump, the lowest finite loss below the loss at the window end.
 */
export const agreementRule =
  (tau: number): HorizonRule =>
  (rows) =>
    guardRule(rows.filter((r) => r.disagreement <= tau));

/** A fixed horizon h, taken when it lowers the loss. */
export const fixedRule =
  (h: number): HorizonRule =>
  (rows) =>
    rows.find((r) => r.h === h && Number.isFinite(r.loss_ko) && r.loss_ko < r.loss_end) ?? null;

/** One line of the trade-off summary: a rule at one window end, medians over runs (no jump counts as T_eq/h 0). */
export interface TradeoffSummary {
  optimizer: string;
  fit: string;
  end: number;
  rule: string;
  runs: number;
  jumped: number;
  median_h: number;
  median_teq_over_h: number;
  share_teq_over_h_ge_1: number;
  median_error_to_growth: number;
  median_steps_saved: number;
}

/** What each rule picks at every (optimizer, fit, window end), medians over the seeds. O(rows · rules). */
export function summariseTradeoffRules(rows: TradeoffRow[], rules: Record<string, HorizonRule>): TradeoffSummary[] {
  const out: TradeoffSummary[] = [];
  const opts = [...new Set(rows.map((r) => r.optimizer))];
  for (const optimizer of opts) {
    for (const fit of [...new Set(rows.map((r) => r.fit))]) {
      const mine = rows.filter((r) => r.optimizer === optimizer && r.fit === fit);
      const ends = [...new Set(mine.map((r) => r.end))].sort((a, b) => a - b);
      for (const end of ends) {
        const atEnd = mine.filter((r) => r.end === end);
        const seeds = [...new Set(atEnd.map((r) => r.seed))];
        for (const [name, rule] of Object.entries(rules)) {
          const picks = seeds.map((s) => rule(atEnd.filter((r) => r.seed === s)));
          const jumped = picks.filter((p): p is TradeoffRow => p !== null);
          const teq = picks.map((p) => (p ? p.teq_over_h : 0));
          out.push({
            optimizer,
            fit,
            end,
            rule: name,
            runs: seeds.length,
            jumped: jumped.length,
            median_h: median(picks.map((p) => (p ? p.h : 0))),
            median_teq_over_h: median(teq),
            share_teq_over_h_ge_1: teq.filter((v) => v >= 1).length / seeds.length,
            median_error_to_growth: median(jumped.map((p) => p.error_to_growth)),
            median_steps_saved: median(picks.map((p) => (p ? p.teq_over_h * p.h : 0))),
          });
        }
      }
    }
  }
  return out;
}

/** The rules compared in the report: the guard, the guard with agreement τ, and each fixed horizon. */
export const AGREEMENT_LEVELS = [0.002, 0.005, 0.02];
export function reportRules(horizons: number[]): Record<string, HorizonRule> {
  const rules: Record<string, HorizonRule> = { guard: guardRule };
  for (const tau of AGREEMENT_LEVELS) rules[`agree ${tau}`] = agreementRule(tau);
  for (const h of horizons) rules[`h = ${h}`] = fixedRule(h);
  return rules;
}
