import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { readCsv } from '../experiments/shared/report/csv-read.js';
import { raceSettings } from '../experiments/race/cli.js';
import { methodOrder, runRace } from '../experiments/race/race.js';
import { adjustedSpeedup, SUMMARY_COLUMNS } from '../experiments/race/summary.js';
import type { RaceRow } from '../experiments/race/race.js';

describe('race quick mode', () => {
  it('rejects unknown workloads and methods by name', () => {
    expect(() => raceSettings({ quick: true, workloads: 'fashion-rnn' })).toThrow(/unknown workload 'fashion-rnn'/);
    // the CNN is a known workload, but not in quick mode's (its steps cost ≈ 50× a Fashion-MLP's)
    expect(raceSettings({ quick: true, workloads: 'fashion-cnn' }).workloads).toEqual(['fashion-cnn']);
    expect(raceSettings({ quick: true }).workloads).not.toContain('fashion-cnn');
    expect(() => raceSettings({ quick: true, methods: 'plain,swa' })).toThrow(/unknown method 'swa'/);
  });
  it('rotates the method order across seeds', () => {
    expect(methodOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(methodOrder(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
  it('adjusts the step speed-up by the share of the run the method spent on itself', () => {
    // 1.2× fewer steps, 10 % of the run spent on its own work: 1.2 × 0.9
    expect(adjustedSpeedup({ step_speedup_vs_plain: 1.2, overhead_share: 0.1 } as RaceRow)).toBeCloseTo(1.08, 12);
    // runs written before overhead_share existed: record + fit + extrapolate + guard over the wall time
    expect(adjustedSpeedup({ step_speedup_vs_plain: 1, record_ms: 100, fit_ms: 200, extrapolate_ms: 0, guard_ms: 700, wall_s: 20 } as RaceRow)).toBeCloseTo(0.95, 12);
  });
  it('runs every method on a Fashion-MLP and the DE solver and writes the tables', async () => {
    await selectBackend('wasm');
    const out = join(tmpdir(), `race-quick-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    const methods = ['plain', 'ema', 'koopman', 'koopman+ema'];
    const s = raceSettings({ quick: true, out, methods: methods.join(',') });
    const rows = await runRace(s, 'test', 'wasm');
    expect(rows.length).toBe(2 * methods.length);
    for (const r of rows) expect(r.tensor_delta).toBe(0);
    for (const wl of ['fashion-mlp', 'de-solver']) {
      const plain = rows.find((r) => r.workload === wl && r.method === 'plain')!;
      // the target is the mean of plain's last three scored losses
      const last = plain.loss_by_eval.split(' ').map(Number).slice(-3);
      expect(plain.target_loss).toBeCloseTo((last[0] + last[1] + last[2]) / 3, 4);
      expect(plain.speedup_vs_plain).toBe(1);
      expect(plain.final_loss_ratio).toBe(1);
      // every method of a seed starts from the same weights: the same scored loss before training
      const first = rows.filter((r) => r.workload === wl).map((r) => r.loss_by_eval.split(' ')[0]);
      expect(new Set(first).size).toBe(1);
      // `koopman` is the plugin configured with its guard alone: the auto schedule plans, and its
      // overhead share is what its report says it spent over the run's wall time
      const auto = rows.find((r) => r.workload === wl && r.method === 'koopman')!;
      expect(auto.schedule).toMatch(/^auto schedule: /);
      expect(auto.spent_ms).toBeGreaterThanOrEqual(auto.record_ms + auto.fit_ms + auto.extrapolate_ms + auto.guard_ms - 1e-6);
      expect(auto.overhead_share).toBeCloseTo(auto.spent_ms / 1000 / auto.wall_s, 6);
      expect(plain.spent_ms).toBe(0);
    }
    const sum = readCsv(join(out, 'summary.csv'));
    expect(Object.keys(sum[0])).toEqual([...SUMMARY_COLUMNS]);
    expect(sum.length).toBe(2 * methods.length);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/## Goals/);
    expect(existsSync(join(out, 'loss-vs-wall-fashion-mlp-adam.svg'))).toBe(true);
    expect(existsSync(join(out, 'loss-vs-wall-de-solver-adam.svg'))).toBe(true);
    rmSync(out, { recursive: true, force: true });
  });
});
