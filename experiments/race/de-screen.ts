/**
 * Offline screen of window fits on a stored plain DE-solver trajectory (results/race/parts/de-adam-policies):
 * at every decision point t = 600, 900, …, 5 700 it fits one window [t − L, t] (stride k) with the
 * given partition and fit options, tries horizons k·2^(j/fine) on the guard loss (stopping after
 * 2·fine worse in a row), and prints the best horizon with its T_eq (plain steps from t to the same
 * loss) and loss ratio; sumTeq is the plain-equivalent progress of all decisions. No training is
 * changed. Usage: npx tsx experiments/race/de-screen.ts adam 0 '{}' '{"partition":{"default":"network"},"L":72,"k":3}'
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { deWorkload } from './workloads.js';
import { readWeights, writeWeights, describeModel } from '../../src/tfjs/weights.js';
import { partitionWeights } from '../../src/partition/partition.js';
import { fitWindow, dropWildOperators } from '../../src/koopman/window.js';
await selectBackend('wasm');
const [opt = 'adam', seedS = '0', ...cfgs] = process.argv.slice(2);
const seed = Number(seedS);
const w = deWorkload(opt, 20, 300);
const model = w.build(seed);
const o = w.makeOptimizer();
const N = 6000 + 4000;
const cache = join(tmpdir(), `de-screen-traj-${opt}-${seed}.bin`);
const D = readWeights(model).length;
let traj: Float32Array;
if (existsSync(cache)) traj = new Float32Array(readFileSync(cache).buffer.slice(0));
else {
  traj = new Float32Array((N + 1) * D);
  traj.set(readWeights(model), 0);
  for (let s = 0; s < N; s++) { w.step(model, o, s); traj.set(readWeights(model), (s + 1) * D); }
  writeFileSync(cache, Buffer.from(traj.buffer));
}
const at = (s: number) => traj.subarray(s * D, (s + 1) * D);
const lossAt = (x: ArrayLike<number>) => { writeWeights(model, x as Float32Array); return w.guardLoss(model); };
const plainLoss: number[] = [];
for (let s = 0; s <= N; s += 3) plainLoss[s / 3] = lossAt(at(s));
const teq = (l: number, t: number) => { // first plain step ≥ t with loss ≤ l
  for (let s = Math.ceil(t / 3); s < plainLoss.length; s++) if (plainLoss[s] <= l) return s * 3 - t;
  return Infinity;
};
for (const cfgS of cfgs) {
  const cfg = JSON.parse(cfgS);
  const { partition = { default: 'node' }, L = 288, k = 9, ratio = 10, fine = 4, ...fit } = cfg;
  const groups = partitionWeights(describeModel(model), { unknown: 'skip', ...partition }).groups;
  const out: string[] = [];
  let sumH = 0, sumT = 0;
  for (let t = 600; t <= 5700; t += 300) {
    const f = fitWindow({ weightsAt: at, groups, start: t - L, end: t, stride: k }, { rank: 0, affine: true, stabilize: true, ...fit });
    if (ratio) dropWildOperators(f, (g) => { let m = 0; for (let s = t - L + k; s <= t; s += k) { const a = at(s - k), b = at(s); for (const i of groups[g].indices) m = Math.max(m, Math.abs(b[i] - a[i])); } return m; }, ratio);
    const base = at(t);
    const l0 = lossAt(base);
    let best = { h: 0, l: l0 };
    const hs = new Set<number>();
    for (let j = 0; ; j++) { const h = Math.round((k * 2 ** (j / fine)) / k) * k; if (h > 9600) break; hs.add(h); }
    let worse = 0;
    for (const h of [...hs].sort((a, b) => a - b)) {
      const x = f.predictWeights(h, base);
      const l = x ? lossAt(x) : Infinity;
      if (l < best.l) { best = { h, l }; worse = 0; } else if (++worse > 2 * fine) break;
    }
    const te = best.h ? teq(best.l, t) : 0;
    sumH += best.h; sumT += Math.min(te, 9600);
    out.push(`${t}:${best.h}/${te === Infinity ? 'inf' : te}(${(best.l / l0).toFixed(3)})`);
  }
  console.log(`${cfgS} | sumH ${sumH} sumTeq ${sumT} | ${out.join(' ')}`);
}
