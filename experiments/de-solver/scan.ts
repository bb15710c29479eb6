/**
 * Offline scan behind the `best` settings and the findings in summary.md: stores the every-step
 * weight trajectory of a plain run once, then scores Koopman fits (window, recording stride, fit
 * options, partition) on it without retraining.
 *
 *   npx tsx experiments/de-solver/scan.ts dump adadelta 0            # writes <dir>/traj-adadelta-0.bin (36 MB)
 *   npx tsx experiments/de-solver/scan.ts fit adadelta 0 '[{"start":35000,"end":45000,"every":25,"fit":{"rank":-1},"horizons":[2500]}]'
 *
 * Set SCAN_DIR (default /tmp/de-solver-scan) and SCAN_PARTITION (a PartitionSpec as JSON). A config's
 * window [start, end] must be a whole number of `every` steps, and each horizon a multiple of it.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/backend/index.js';
import type { FitOptions } from '../../src/koopman/options.js';
import { fitWindow } from '../../src/koopman/window.js';
import { equivalentSteps, errorToGrowth } from '../../src/metrics/index.js';
import { partitionWeights } from '../../src/partition/partition.js';
import type { PartitionSpec } from '../../src/partition/types.js';
import { describeModel, readWeights, writeWeights } from '../../src/tfjs/index.js';
import { PAPER_SCHEDULE, SOLVER_PARTITION } from '../shared/de-solver/config.js';
import { buildSolverNet, physicsLoss, physicsLossValue, solverVariables } from '../shared/de-solver/network.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { trainSteps } from '../shared/train.js';
import { solverOptimizer, type OptimizerName } from '../shared/de-solver/optimizers.js';
import { learningRate, trainingTimes } from '../shared/de-solver/problem.js';

interface ScanConfig {
  start: number;
  end: number;
  every: number;
  fit: FitOptions;
  horizons: number[];
}

const dir = process.env.SCAN_DIR ?? '/tmp/de-solver-scan';
const [mode, optimizer, seedArg, configs] = process.argv.slice(2);
const seed = Number(seedArg ?? 0);
const steps = Number(process.env.SCAN_STEPS ?? PAPER_SCHEDULE.steps);
const file = (kind: string) => join(dir, `${kind}-${optimizer}-${seed}.bin`);

await selectBackend(process.env.SCAN_BACKEND ?? 'wasm');
const t = tf.tensor2d(trainingTimes(), [200, 1]);
const model = buildSolverNet(seed);
const n = readWeights(model).length;

if (mode === 'dump') {
  const opt = makeOptimizer(solverOptimizer(optimizer as OptimizerName));
  const W = new Float32Array((steps + 1) * n);
  const L = new Float64Array(steps + 1);
  W.set(readWeights(model), 0);
  await trainSteps(opt, () => physicsLoss(model, t), solverVariables(model), {
    steps,
    learningRate: (s) => learningRate(s - 1),
    onStep: ({ step, loss }) => {
      L[step - 1] = loss;
      W.set(readWeights(model), step * n);
    },
  });
  L[steps] = physicsLossValue(model, t);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file('traj'), W);
  writeFileSync(file('loss'), L);
  console.log(`wrote ${file('traj')} and ${file('loss')}`);
} else if (mode === 'fit') {
  if (!existsSync(file('traj'))) throw new Error(`${file('traj')} missing: run 'dump ${optimizer} ${seed}' first`);
  const W = new Float32Array(readFileSync(file('traj')).buffer.slice(0));
  const losses = new Float64Array(readFileSync(file('loss')).buffer.slice(0));
  const last = W.length / n - 1;
  const wAt = (s: number) => W.subarray(s * n, (s + 1) * n);
  const spec = process.env.SCAN_PARTITION ? (JSON.parse(process.env.SCAN_PARTITION) as PartitionSpec) : SOLVER_PARTITION;
  const part = partitionWeights(describeModel(model), spec);
  for (const c of JSON.parse(configs ?? '[]') as ScanConfig[]) {
    console.log(JSON.stringify(c));
    try {
      const fit = fitWindow({ weightsAt: wAt, groups: part.groups, start: c.start, end: c.end, stride: c.every }, c.fit, true);
      const base = wAt(c.end);
      for (const h of c.horizons) {
        // null when a predicted weight is not finite in float32: its loss is NaN
        const out = fit.predictWeights(h, base);
        if (out) writeWeights(model, out);
        const loss = out ? physicsLossValue(model, t) : NaN;
        const inRange = c.end + h <= last;
        const teq = inRange ? equivalentSteps(losses.subarray(c.end), loss).teq / h : NaN;
        const e2g = inRange && out ? errorToGrowth(out, wAt(c.end + h), base) : NaN;
        console.log(`  h ${h}: loss ${loss.toPrecision(6)} plain ${inRange ? losses[c.end + h].toPrecision(6) : '-'} at t2 ${losses[c.end].toPrecision(6)}  T_eq/h ${teq.toFixed(4)}  error-to-growth ${e2g.toPrecision(3)}`);
      }
    } catch (err) {
      console.log(`  error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
} else {
  console.error("usage: scan.ts dump <optimizer> <seed> | scan.ts fit <optimizer> <seed> '<configs JSON>'");
  process.exitCode = 1;
}
