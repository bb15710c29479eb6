import type { KoopmanReport } from './report.js';

const BUDGET_NOTE = 'budget';

/**
 * The plugin's cost accounting against `budget`: the optimizer time between steps (its own work
 * excluded), and whether the next window can be paid for. The report's `spentMs`, `skippedSteps`
 * and `budgetSkips` are the shared record.
 */
export class BudgetClock {
  /** Optimizer time between steps, the plugin's own work excluded, ms. */
  trainMs = 0;
  private timedSteps = 0;
  private lastTick: number | null = null;
  /** Time of the latest decision (fit, extrapolation, guard), ms: what the next one is expected to cost. */
  private lastDecisionMs = 0;
  /** Decisions made since the last reset (the first is always funded). */
  private decisions = 0;
  /** Recording time of the latest funded window, ms. */
  private lastWindowRecordMs = 0;

  constructor(
    private readonly budget: number | null,
    private readonly report: KoopmanReport,
  ) {}

  /** Forgets every measurement (a new schedule). */
  reset(): void {
    this.trainMs = 0;
    this.timedSteps = 0;
    this.lastDecisionMs = 0;
    this.decisions = 0;
    this.lastWindowRecordMs = 0;
  }

  /** Training (re)starts now: the time until the next step counts as optimizer time. */
  start(): void {
    this.lastTick = performance.now();
  }

  /** Training paused (fit() ended): the time until it starts again is not training. */
  stop(): void {
    this.lastTick = null;
  }

  /** A step ended: the time since the last tick was the optimizer's. */
  stepEnded(): void {
    if (this.lastTick === null) return;
    this.trainMs += performance.now() - this.lastTick;
    this.timedSteps++;
  }

  /** The plugin's work for this step is done: the clock runs for the optimizer again. */
  resume(): void {
    if (this.lastTick !== null) this.lastTick = performance.now();
  }

  /** A decision took `ms`: counted as spent, and as the expected cost of the next one. */
  decided(ms: number): void {
    this.lastDecisionMs = ms;
    this.decisions++;
    this.report.spentMs += ms;
  }

  /** A funded window ended having spent `recordMs` on recording. */
  windowRecorded(recordMs: number): void {
    this.lastWindowRecordMs = recordMs;
  }

  /**
   * Whether the window about to start (`length` steps) can be recorded and decided within
   * `budget`: the plugin's time so far plus the expected cost of this window (the latest window's
   * recording and the latest decision) must not exceed budget × (training time + the plugin's
   * time) at the window's end, plus the optimizer time its accepted jumps saved (skipped steps ×
   * the measured time per step). The first window is always funded: its decision measures the
   * cost (it also pays for compiling the fitting code, measured 3–6× a warm decision: 0.5–1.0 s of
   * CPU against 0.09–0.17 s for 70 node fits of 785 weights × 33 snapshots, so later windows are
   * judged conservatively; a second funded decision measured 0.96× against 0.976× in the race).
   */
  fund(length: number): boolean {
    const b = this.budget;
    if (b === null || this.timedSteps === 0 || this.decisions < 1) return true;
    const perStep = this.trainMs / this.timedSteps;
    const spent = this.report.spentMs + this.lastWindowRecordMs + this.lastDecisionMs;
    const allowance = b * (this.trainMs + length * perStep + spent) + this.report.skippedSteps * perStep;
    return spent <= allowance;
  }

  /** A window ending at `step` was neither recorded nor decided: counted, and one note says so. */
  skipped(step: number): void {
    this.report.budgetSkips++;
    const notes = this.report.notes;
    const at = notes.findIndex((n) => n.startsWith(BUDGET_NOTE));
    if (at >= 0) notes.splice(at, 1);
    notes.push(
      `${BUDGET_NOTE}: ${this.report.budgetSkips} window(s) neither recorded nor decided (latest ending at step ${step}): at their start the plugin had spent ${(this.report.spentMs / 1000).toFixed(2)} s against ${(this.trainMs / 1000).toFixed(2)} s of training, and one more window (≈ ${((this.lastWindowRecordMs + this.lastDecisionMs) / 1000).toFixed(2)} s) would have exceeded budget ${this.budget} plus what its jumps saved`,
    );
  }
}
