import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCsv } from '../shared/report/csv.js';
import { makeMethod, PEERS } from './entrants.js';
import { runObserved } from './explore.js';
import { plainTarget, reachAt, runMethod, type MethodRun } from './run.js';
import type { RaceSettings } from './settings.js';
import { writeSummary } from './summary.js';
import { deWorkload, fashionWorkload, OPTIMIZERS_BY_WORKLOAD, releaseFashionData, type Workload, type WorkloadName } from './workloads.js';

/** One method × seed of one workload and optimizer, scored against the plain run of the same seed. */
export interface RaceRow {
  workload: string;
  optimizer: string;
  method: string;
  seed: number;
  /** Position of the method in the seed's run order (orders rotate across seeds). */
  order: number;
  target_loss: number;
  wall_s: number;
  wall_to_target_s: number;
  steps_to_target: number;
  plain_wall_to_target_s: number;
  best_peer: string;
  best_peer_wall_to_target_s: number;
  speedup_vs_plain: number;
  speedup_vs_best_peer: number;
  /** The same on CPU time (the best peer by CPU time). */
  cpu_s: number;
  cpu_to_target_s: number;
  cpu_speedup_vs_plain: number;
  cpu_speedup_vs_best_peer: number;
  /** Plain's optimizer steps to the target ÷ the method's (noise-free; costs not counted). */
  step_speedup_vs_plain: number;
  final_loss: number;
  final_acc: number;
  final_loss_ratio: number;
  skipped_share: number;
  record_ms: number;
  fit_ms: number;
  extrapolate_ms: number;
  guard_ms: number;
  decisions: number;
  accepted: number;
  horizons: string;
  /** Everything the method spent on its own (the plugin's report.spentMs), ms. */
  spent_ms: number;
  /** spent_ms ÷ the run's wall time (the auto schedule's budget is 0.02 of training time). */
  overhead_share: number;
  budget_skips: number;
  schedule: string;
  tensor_delta: number;
  loss_by_eval: string;
  wall_s_by_eval: string;
  cpu_s_by_eval: string;
}

/** Speed-up of a time to target against a reference time; 0 when the method never reaches it. */
function speedup(reference: number, t: number): number {
  if (Number.isNaN(t)) return 0;
  return reference / t;
}

/** The rows of one seed: every method scored against that seed's plain run and best peer. */
export function scoreSeed(workload: string, optimizer: string, runs: MethodRun[]): RaceRow[] {
  const plain = runs.find((r) => r.method === 'plain');
  if (!plain) throw new Error('scoreSeed: the seed has no plain run');
  const target = plainTarget(plain.loss);
  const wallTo = (r: MethodRun) => reachAt(r.loss, r.wallMs, target);
  const tPlain = wallTo(plain);
  const peers = runs.filter((r) => (PEERS as readonly string[]).includes(r.method));
  let best: MethodRun | null = null;
  let tBest = NaN;
  for (const p of peers) {
    const t = wallTo(p);
    if (!Number.isNaN(t) && (Number.isNaN(tBest) || t < tBest)) {
      best = p;
      tBest = t;
    }
  }
  const cpuTo = (r: MethodRun) => reachAt(r.loss, r.cpuMs, target);
  const cPlain = cpuTo(plain);
  const cBest = Math.min(...peers.map(cpuTo).map((v) => (Number.isNaN(v) ? Infinity : v)));
  const plainFinal = plain.loss[plain.loss.length - 1];
  return runs.map((r, order) => {
    const t = wallTo(r);
    const c = r.costs;
    const steps = r.steps[r.steps.length - 1];
    return {
      workload,
      optimizer,
      method: r.method,
      seed: r.seed,
      order,
      target_loss: target,
      wall_s: r.wallMs[r.wallMs.length - 1] / 1000,
      wall_to_target_s: t / 1000,
      steps_to_target: reachAt(r.loss, r.steps, target),
      plain_wall_to_target_s: tPlain / 1000,
      best_peer: best?.method ?? 'none',
      best_peer_wall_to_target_s: tBest / 1000,
      speedup_vs_plain: speedup(tPlain, t),
      speedup_vs_best_peer: Number.isNaN(tBest) ? NaN : speedup(tBest, t),
      cpu_s: r.cpuMs[r.cpuMs.length - 1] / 1000,
      cpu_to_target_s: cpuTo(r) / 1000,
      cpu_speedup_vs_plain: speedup(cPlain, cpuTo(r)),
      cpu_speedup_vs_best_peer: Number.isFinite(cBest) ? speedup(cBest, cpuTo(r)) : NaN,
      step_speedup_vs_plain: speedup(reachAt(plain.loss, plain.steps, target), reachAt(r.loss, r.steps, target)),
      final_loss: r.loss[r.loss.length - 1],
      final_acc: r.acc[r.acc.length - 1],
      final_loss_ratio: r.loss[r.loss.length - 1] / plainFinal,
      skipped_share: c.skippedSteps / (steps + c.skippedSteps),
      record_ms: c.recordMs,
      fit_ms: c.fitMs,
      extrapolate_ms: c.extrapolateMs,
      guard_ms: c.guardMs,
      decisions: c.decisions,
      accepted: c.accepted,
      horizons: c.horizons,
      spent_ms: c.spentMs,
      overhead_share: c.spentMs / r.wallMs[r.wallMs.length - 1],
      budget_skips: c.budgetSkips,
      schedule: c.schedule,
      tensor_delta: r.tensorDelta,
      loss_by_eval: r.loss.map((v) => v.toPrecision(6)).join(' '),
      wall_s_by_eval: r.wallMs.map((v) => (v / 1000).toFixed(3)).join(' '),
      cpu_s_by_eval: r.cpuMs.map((v) => (v / 1000).toFixed(3)).join(' '),
    };
  });
}

/** The workload object of a name and optimizer under the settings. */
export function makeWorkload(name: WorkloadName, optimizer: string, s: RaceSettings): Workload {
  if (name === 'de-solver') return deWorkload(optimizer, s.deBlocks, s.deBlockSteps);
  return fashionWorkload(name, optimizer, s.fashionEpochs, s.sizes);
}

/** The seed's method order: the list rotated by the seed's index, so no method always runs first. */
export function methodOrder(methods: string[], index: number): string[] {
  const k = index % methods.length;
  return [...methods.slice(k), ...methods.slice(0, k)];
}

/**
 * Runs the race: for every workload × optimizer × seed, all methods back to back in this process
 * (one seed's methods compared within the seed), appending to runs.csv after each seed and
 * rewriting the summary, so a partial run leaves complete files.
 */
export async function runRace(s: RaceSettings, command: string, backend: string, log: (line: string) => void = () => undefined): Promise<RaceRow[]> {
  for (const m of s.methods) makeMethod(m); // unknown names fail before any training
  if (!s.methods.includes('plain')) throw new Error('the race needs the plain method (it sets the target)');
  mkdirSync(s.out, { recursive: true });
  const rows: RaceRow[] = [];
  const runsPath = join(s.out, 'runs.csv');
  if (existsSync(runsPath)) writeFileSync(runsPath, '');
  for (const name of s.workloads) {
    for (const opt of OPTIMIZERS_BY_WORKLOAD[name]) {
      if (s.optimizers && !s.optimizers.includes(opt)) continue;
      const w = makeWorkload(name, opt, s);
      const decay = name === 'de-solver' ? 0.995 : s.fashionEmaDecay;
      // Warm-up, discarded: every method for one evaluation period, so that no timed run pays
      // for JIT compilation or first-call allocations (the first run in a process was ~3× slower).
      if (s.warmUp && s.explore) await runObserved(w, s.seedOffset, s.methods.filter((m) => m !== 'plain'), decay, 1);
      else if (s.warmUp) for (const m of s.methods) await runMethod(w, s.seedOffset, makeMethod(m, decay), 1);
      for (let i = 0; i < s.seeds; i++) {
        const seed = s.seedOffset + i;
        const runs: MethodRun[] = [];
        if (s.explore) {
          runs.push(...(await runObserved(w, seed, s.methods.filter((m) => m !== 'plain'), decay)));
          for (const r of runs) log(`${name} ${opt} seed ${seed} ${r.method}: final ${r.loss[r.loss.length - 1].toFixed(4)} at ${(r.wallMs[r.wallMs.length - 1] / 1000).toFixed(1)} s`);
        } else {
          for (const m of methodOrder(s.methods, i)) {
            const r = await runMethod(w, seed, makeMethod(m, decay));
            runs.push(r);
            log(`${name} ${opt} seed ${seed} ${m}: final ${r.loss[r.loss.length - 1].toFixed(4)} in ${(r.wallMs[r.wallMs.length - 1] / 1000).toFixed(1)} s`);
          }
        }
        const seedRows = scoreSeed(name, opt, runs);
        rows.push(...seedRows);
        writeCsv(runsPath, rows as unknown as Record<string, unknown>[]);
        writeSummary(rows, s, command, backend);
      }
      w.dispose();
    }
  }
  releaseFashionData();
  appendFileSync(join(s.out, 'summary.md'), '');
  return rows;
}
