/** One candidate horizon tried by the guard. */
export interface CandidateResult {
  horizon: number;
  /**
   * Guard loss of the weights extrapolated this far (Infinity when the prediction was not finite,
   * NaN when the agreement check skipped it).
   */
  loss: number;
  /** With guard.agreement: median |w − w_half| ÷ median |w − w(t2)| of the two fits' predictions. */
  disagreement?: number;
}

/** Everything decided at one jump, with the reason in words. */
export interface JumpRecord {
  /** Optimizer steps taken when the jump was decided (t2). */
  step: number;
  /** Steps jumped (0 when rejected). */
  horizon: number;
  candidates: CandidateResult[];
  /** Guard loss at t2 (NaN without a guard). */
  lossBefore: number;
  /** Guard loss after the decision (NaN without a guard). */
  lossAfter: number;
  accepted: boolean;
  reason: string;
  /** Snapshots the operators were fitted on. */
  snapshots: number;
  recordMs: number;
  fitMs: number;
  extrapolateMs: number;
  guardMs: number;
  ranks: { min: number; median: number; max: number };
  /** Groups that got no operator (and kept their t2 weights), with why. */
  skippedGroups: { id: string; reason: string }[];
  /**
   * Set when the decision was abandoned part-way to stay within `budget`: what the whole decision
   * was projected to cost, ms (the next window is funded only if the budget covers that much).
   */
  projectedMs?: number;
}

/** The schedule the plugin runs, in optimizer steps: the auto schedule's choices, or the explicit one's. */
export interface ScheduleRecord {
  /** Chosen by the auto schedule (no window or horizon given). */
  auto: boolean;
  /** Group kinds ('network', 'layer', 'node', …). */
  partition: string;
  /** Number of operators fitted at each decision. */
  groups: number;
  recordEvery: number;
  /** The first window, in steps. */
  window: { start: number; end: number };
  /** Steps between decisions after the first (null: one decision). */
  every: number | null;
  /** Horizons the guard tries, in steps (null: no guard). */
  candidates: number[] | null;
  /** Share of the training time the plugin may spend (null: no limit). */
  budget: number | null;
  /** The same, in one line. */
  text: string;
}

export interface KoopmanReport {
  /** What was planned when training began (null before). */
  schedule: ScheduleRecord | null;
  jumps: JumpRecord[];
  /** Snapshots recorded over the whole run. */
  recordedSteps: number;
  /** Optimizer steps saved by accepted jumps. */
  skippedSteps: number;
  /** Optimizer steps actually taken. */
  optimizerSteps: number;
  /** optimizerSteps + skippedSteps: the training time the weights stand for. */
  effectiveSteps: number;
  /** Bytes the recording buffer holds. */
  bytesHeld: number;
  /** Time the plugin spent (recording, fitting, extrapolating, guard evaluations, skipped decisions' recording), ms. */
  spentMs: number;
  /** Windows neither recorded nor decided to stay within `budget`. */
  budgetSkips: number;
  /** Partition notes, skipped layers, stopped recordings. */
  notes: string[];
}

/** A one-line human summary of a jump. */
export function describeJump(j: JumpRecord): string {
  const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
  const head = j.accepted ? `jumped ${j.horizon} steps` : 'jump rejected';
  const loss = Number.isNaN(j.lossBefore) ? '' : ` loss ${fmt(j.lossBefore)} → ${fmt(j.lossAfter)};`;
  const t = `record ${j.recordMs.toFixed(0)} ms, fit ${j.fitMs.toFixed(0)} ms, extrapolate ${j.extrapolateMs.toFixed(0)} ms, guard ${j.guardMs.toFixed(0)} ms`;
  return `[koopman] step ${j.step}: ${head};${loss} ranks ${j.ranks.min}/${j.ranks.median}/${j.ranks.max}; ${t}. ${j.reason}`;
}
