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
  /** Steps still planned after the current one (fit() knows them; null in a custom loop). */
  private plannedSteps: number | null = null;

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
    this.plannedSteps = null;
  }

  /**
   * The steps this training is planned to run from now (fit()'s epochs × steps per epoch; null
   * when unknown). The allowance then covers the whole planned run, not only the time so far, so a
   * decision early in the run can be paid for by the training still to come.
   */
  plan(steps: number | null): void {
    this.plannedSteps = steps;
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
    if (this.plannedSteps !== null && this.plannedSteps > 0) this.plannedSteps--;
    if (this.lastTick === null) return;
    this.trainMs += performance.now() - this.lastTick;
    this.timedSteps++;
  }

  /** The plugin's work for this step is done: the clock runs for the optimizer again. */
  resume(): void {
    if (this.lastTick !== null) this.lastTick = performance.now();
  }

  /**
   * A decision took `ms`: counted as spent, and as the expected cost of the next one — or, when it
   * was abandoned to stay within the budget, what it was projected to cost (`projectedMs`).
   */
  decided(ms: number, projectedMs?: number): void {
    this.lastDecisionMs = projectedMs ?? ms;
    this.decisions++;
    this.report.spentMs += ms;
  }

  /** A funded window ended having spent `recordMs` on recording. */
  windowRecorded(recordMs: number): void {
    this.lastWindowRecordMs = recordMs;
  }

  /** Optimizer time per step so far, ms (0 before any step was timed). */
  private get perStep(): number {
    return this.timedSteps > 0 ? this.trainMs / this.timedSteps : 0;
  }

  /**
   * What `budget` allows in all, ms, `ahead` steps from now: budget × (training time so far, the
   * planned steps still to come or at least `ahead` of them at the measured time per step, and
   * the plugin's own time `spent`), plus the optimizer time the accepted jumps saved.
   */
  private allowance(ahead: number, spent: number): number {
    const rest = Math.max(ahead, this.plannedSteps ?? 0);
    return this.budget! * (this.trainMs + rest * this.perStep + spent) + this.report.skippedSteps * this.perStep;
  }

  /**
   * Whether the window about to start (`length` steps) can be recorded and decided within
   * `budget`: the plugin's time so far plus the expected cost of this window (the latest window's
   * recording and the latest decision, or what an abandoned one was projected to cost) must not
   * exceed the allowance at the window's end (see {@link allowance}). Before any decision the
   * window is funded: its decision is held to {@link limit} instead, which a decision that pays
   * for compiling the fitting code (measured 3–6× a warm one: 0.36 s against 0.06–0.09 s for 70
   * node fits of 785 weights × 33 snapshots) may not fit — it is then abandoned part-way.
   */
  fund(length: number): boolean {
    if (this.budget === null || this.timedSteps === 0 || this.decisions < 1) return true;
    const spent = this.report.spentMs + this.lastWindowRecordMs + this.lastDecisionMs;
    return spent <= this.allowance(length, spent);
  }

  /**
   * The time the decision about to be made may take, ms: the allowance left after what the plugin
   * has spent. Null (no limit) without a budget, and for the first decision of a run whose length
   * is not planned (a custom loop): that one is made whole to measure the cost.
   */
  limit(): number | null {
    if (this.budget === null || this.timedSteps === 0) return null;
    if (this.plannedSteps === null && this.decisions < 1) return null;
    const spent = this.report.spentMs;
    return Math.max(0, this.allowance(0, spent) - spent);
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
