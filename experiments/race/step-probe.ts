/**
 * Diagnostic (issue 13, the per-step slow-down): the race's Fashion-MLP step (784-20-20-20-10,
 * Adam 1e-3, batch 64, 12 000 images) in one process, variants interleaved epoch by epoch so that
 * machine load hits them alike. A variant is `<batching>+<hook>`:
 *  - batching `slice`: the old harness (the epoch's shuffled images as one tensor, `slice` per step),
 *    `gather`: the batch's rows gathered from the data by index (what fit() does);
 *  - hook: `plain` (nothing), `read` (readWeights every step), `ema` (read + EMA update),
 *    `k5` (read every 5th step), `memory` (tf.memory()), `getweights` (getWeights() + dataSync),
 *    `alloc` (eight 2 000-float Float32Arrays, no tfjs);
 * and `fit`: model.fit() for one epoch (batch 64, shuffled), the same network and optimizer.
 * Prints CPU (user + system), system time, minor page faults and wall time per step.
 *
 *   npx tsx experiments/race/step-probe.ts [--backend wasm|cpu] [--epochs 4] [--variants slice+plain,gather+plain,fit]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select.js';
import { mulberry32 } from '../../src/linalg/random.js';
import { readWeights } from '../../src/tfjs/weights.js';
import { loadDataset } from '../shared/data/dataset.js';
import { buildMlp } from '../shared/mlp.js';
import { emaUpdate } from './peers.js';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i < 0 ? d : process.argv[i + 1];
};
const backend = arg('backend', 'wasm');
const epochs = Number(arg('epochs', '4'));
const variants = arg('variants', 'slice+plain,slice+read,gather+plain,gather+read,gather+ema,fit').split(',');
const N = 12_000;
const BS = 64;
const SPE = Math.floor(N / BS);

await selectBackend(backend);
const ds = loadDataset({ dataset: 'fashion' });
const ys = new Float32Array(N * 10);
for (let i = 0; i < N; i++) ys[i * 10 + ds.trainLabels[i]] = 1;
const X = tf.tensor2d(ds.trainImages.subarray(0, N * 784), [N, 784]);
const Y = tf.tensor2d(ys, [N, 10]);

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const trainable = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
const lossOf = (m: tf.LayersModel, xb: tf.Tensor, yb: tf.Tensor) => tf.metrics.categoricalCrossentropy(yb, m.apply(xb, { training: true }) as tf.Tensor).mean() as tf.Scalar;

interface State { model: tf.LayersModel; opt: tf.Optimizer; step: number; flat: Float32Array; avg: Float32Array; cpu: number; sys: number; faults: number; wall: number; steps: number }
const states = new Map<string, State>();
for (const v of variants) {
  const model = buildMlp(1);
  const opt = tf.train.adam(1e-3);
  if (v === 'fit') model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const flat = readWeights(model);
  states.set(v, { model, opt, step: 0, flat, avg: flat.slice(), cpu: 0, sys: 0, faults: 0, wall: 0, steps: 0 });
}

function hook(h: string, s: State): void {
  switch (h) {
    case 'plain':
      return;
    case 'read':
      readWeights(s.model, s.flat);
      return;
    case 'ema':
      readWeights(s.model, s.flat);
      emaUpdate(s.avg, s.flat, 0.995);
      return;
    case 'k5':
      if (s.step % 5 === 0) readWeights(s.model, s.flat);
      return;
    case 'memory':
      tf.memory();
      return;
    case 'getweights':
      for (const t of s.model.getWeights()) t.dataSync();
      return;
    case 'alloc':
      for (let i = 0; i < 8; i++) new Float32Array(2_000).fill(i);
      return;
    default:
      throw new Error(`unknown hook ${h}`);
  }
}

async function epoch(v: string, s: State, e: number): Promise<void> {
  if (v === 'fit') {
    await s.model.fit(X, Y, { epochs: 1, batchSize: BS, shuffle: true, verbose: 0 });
    s.step += Math.ceil(N / BS);
    return;
  }
  const [batching, h] = v.split('+');
  const order = Array.from({ length: N }, (_, i) => i);
  const rand = mulberry32(7919 + e);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const idx = Int32Array.from(order);
  let ex: tf.Tensor2D | null = null;
  let ey: tf.Tensor2D | null = null;
  if (batching === 'slice') {
    const it = tf.tensor1d(idx, 'int32');
    ex = tf.gather(X, it);
    ey = tf.gather(Y, it);
    it.dispose();
  }
  for (let b = 0; b < SPE; b++) {
    const l = tf.tidy(() => {
      let xb: tf.Tensor;
      let yb: tf.Tensor;
      if (batching === 'slice') {
        xb = ex!.slice([b * BS, 0], [BS, 784]);
        yb = ey!.slice([b * BS, 0], [BS, 10]);
      } else {
        const bi = tf.tensor1d(idx.subarray(b * BS, (b + 1) * BS), 'int32');
        xb = tf.gather(X, bi);
        yb = tf.gather(Y, bi);
      }
      return s.opt.minimize(() => lossOf(s.model, xb, yb), true, trainable(s.model))!;
    });
    l.dataSync();
    l.dispose();
    s.step++;
    hook(h, s);
  }
  tf.dispose([ex, ey].filter((t): t is tf.Tensor2D => t !== null));
}

for (let e = 0; e < epochs; e++) {
  for (const v of variants) {
    const s = states.get(v)!;
    const t0 = performance.now();
    const c0 = cpuNow();
    const r0 = process.resourceUsage();
    const s0 = s.step;
    await epoch(v, s, e);
    if (e > 0) {
      // epoch 0 is a warm-up (JIT, first-call allocations)
      const r1 = process.resourceUsage();
      s.wall += performance.now() - t0;
      s.cpu += cpuNow() - c0;
      s.sys += (r1.systemCPUTime - r0.systemCPUTime) / 1000;
      s.faults += r1.minorPageFault - r0.minorPageFault;
      s.steps += s.step - s0;
    }
  }
}
const base = states.get(variants[0])!;
console.log(`backend ${tf.getBackend()}, ${epochs - 1} timed epochs of ${SPE} steps per variant (fit: ${Math.ceil(N / BS)}); load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
for (const v of variants) {
  const s = states.get(v)!;
  const per = (x: number) => (x / s.steps).toFixed(2);
  console.log(`${v.padEnd(18)} cpu ${per(s.cpu)} ms/step (sys ${per(s.sys)})  wall ${per(s.wall)} ms/step  faults ${(s.faults / s.steps).toFixed(0)}/step  cpu ×${variants[0]} ${((s.cpu / s.steps) / (base.cpu / base.steps)).toFixed(3)}`);
}
