import * as tf from '@tensorflow/tfjs';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import { makeMethod, SNAPSHOT_POLICIES } from './entrants.js';
import type { RaceMethod } from './methods.js';
import type { MethodRun } from './run.js';
import type { Workload } from './workloads.js';

/** Observers that never touch training: the averages and every shadow policy. */
export function shadowObservers(): string[] {
  return ['ema', 'ema-tf', 'lawa', 'koopman-best', ...Object.entries(SNAPSHOT_POLICIES).filter(([, p]) => p.mode === 'shadow').map(([n]) => n)];
}

/**
 * One plain training run watched by many observers that never change the weights (EMA, LAWA,
 * shadow Koopman policies): each observer's work is timed on its own, and its clock is plain
 * training's time plus its own work, as if it had run alone. The same trajectory for every
 * observer removes training noise from the comparison of policies; the observers' own costs are
 * measured exactly as in the race (`epochs` stops early, for warm-ups). Returns the plain run and one run per observer.
 */
export async function runObserved(w: Workload, seed: number, names: string[], emaDecay: number, epochs = w.epochs): Promise<MethodRun[]> {
  const before = tf.memory().numTensors;
  const model = w.build(seed);
  const opt = w.makeOptimizer();
  const observers: RaceMethod[] = names.map((n) => makeMethod(n, emaDecay));
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const own = names.map(() => ({ wall: 0, cpu: 0 }));
  const timed = async <T>(i: number, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const c = cpuNow();
    const out = await f();
    own[i].wall += performance.now() - t;
    own[i].cpu += cpuNow() - c;
    return out;
  };
  const score = (held: Float32Array | null) => {
    if (!held) return w.evaluate(model);
    const cur = readWeights(model);
    writeWeights(model, held);
    const r = w.evaluate(model);
    writeWeights(model, cur);
    return r;
  };
  const mk = (method: string): MethodRun => ({ method, seed, steps: [0], wallMs: [0], cpuMs: [0], loss: [], acc: [], costs: null as never, tensorDelta: 0 });
  const plain = mk('plain');
  const runs = names.map(mk);
  const scratch = readWeights(model);
  for (let i = 0; i < observers.length; i++) await timed(i, () => observers[i].begin(model, w));
  const evalAll = async (step: number) => {
    const p = w.evaluate(model);
    plain.loss.push(p.loss);
    plain.acc.push(p.acc);
    for (let i = 0; i < observers.length; i++) {
      const held = await timed(i, () => observers[i].heldWeights(step));
      const r = score(held);
      runs[i].loss.push(r.loss);
      runs[i].acc.push(r.acc);
    }
  };
  await evalAll(0);
  let train = 0;
  let cpu = 0;
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    w.beginEpoch(seed, e);
    for (let b = 0; b < w.stepsPerEpoch; b++) {
      const loss = w.step(model, opt, step);
      step++;
      // One weight read charged to training first, so no observer is charged for what the step
      // left behind. With the old slice-batched Fashion step (a 37.6 MB copy a step on wasm and a
      // mark-compact GC every ~2 steps) the first observer to allocate paid ≈ 9 ms a step; with
      // gathered batches a per-step read costs nothing measurable (results/race/step-probe.txt).
      readWeights(model, scratch);
      for (let i = 0; i < observers.length; i++) {
        const t = performance.now();
        const c = cpuNow();
        await observers[i].afterStep(step, loss);
        const dt = performance.now() - t;
        const dc = cpuNow() - c;
        own[i].wall += dt;
        own[i].cpu += dc;
        train -= dt;
        cpu -= dc;
      }
    }
    train += performance.now() - t0;
    cpu += cpuNow() - c0;
    plain.steps.push(step);
    plain.wallMs.push(train);
    plain.cpuMs.push(cpu);
    await evalAll(step);
    runs.forEach((r, i) => {
      r.steps.push(step);
      r.wallMs.push(train + own[i].wall);
      r.cpuMs.push(cpu + own[i].cpu);
    });
  }
  plain.costs = makeMethod('plain').costs();
  runs.forEach((r, i) => (r.costs = observers[i].costs()));
  observers.forEach((o) => o.end?.());
  w.endRun();
  model.dispose();
  opt.dispose();
  plain.tensorDelta = tf.memory().numTensors - before;
  return [plain, ...runs];
}
