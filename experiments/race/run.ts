import * as tf from '@tensorflow/tfjs';
import { readWeights, writeWeights } from '../../src/tfjs/weights.js';
import type { MethodCosts, RaceMethod } from './methods.js';
import type { Workload } from './workloads.js';

/** One method trained once: scored losses at every evaluation point, with the training time before each. */
export interface MethodRun {
  method: string;
  seed: number;
  /** Optimizer steps taken at each evaluation point (index 0 = before training). */
  steps: number[];
  /** Cumulative wall time (ms) of training plus everything the method did, evaluations for the report excluded. */
  wallMs: number[];
  /**
   * The same intervals in this process's CPU time (user + system, ms): wasm runs single-threaded
   * here, so on an idle machine CPU time ≈ wall time; on a shared one it is the less noisy clock.
   */
  cpuMs: number[];
  loss: number[];
  acc: number[];
  costs: MethodCosts;
  /** tf.memory().numTensors after the run minus before it (0 when nothing leaked). */
  tensorDelta: number;
}

/**
 * Trains a fresh model of the seed with the method: the same initial weights and data order for
 * every method of a seed (`epochs` stops early, for warm-ups). The wall time counts data preparation, optimizer steps and all the
 * method's work (recording, fits, guards, swaps); the scored evaluation of the weights the method
 * hands out (its heldWeights) is excluded, as experiments/mnist excludes its test evaluations.
 */
export async function runMethod(w: Workload, seed: number, method: RaceMethod, epochs = w.epochs): Promise<MethodRun> {
  const before = tf.memory().numTensors;
  const model = w.build(seed);
  const opt = w.makeOptimizer();
  const score = (held: Float32Array | null) => {
    if (!held) return w.evaluate(model);
    const cur = readWeights(model);
    writeWeights(model, held);
    const r = w.evaluate(model);
    writeWeights(model, cur);
    return r;
  };
  const run: MethodRun = { method: method.name, seed, steps: [0], wallMs: [0], cpuMs: [0], loss: [], acc: [], costs: null as unknown as MethodCosts, tensorDelta: 0 };
  let train = 0;
  let cpu = 0;
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t0 = performance.now();
  let c0 = cpuNow();
  await method.begin(model, w, opt);
  let held = await method.heldWeights(0);
  train += performance.now() - t0;
  cpu += cpuNow() - c0;
  let e0 = score(held);
  run.loss.push(e0.loss);
  run.acc.push(e0.acc);
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    t0 = performance.now();
    c0 = cpuNow();
    w.beginEpoch(seed, e);
    for (let b = 0; b < w.stepsPerEpoch; b++) {
      const loss = w.step(model, opt, step);
      step++;
      await method.afterStep(step, loss);
    }
    held = await method.heldWeights(step);
    train += performance.now() - t0;
    cpu += cpuNow() - c0;
    e0 = score(held);
    run.steps.push(step);
    run.wallMs.push(train);
    run.cpuMs.push(cpu);
    run.loss.push(e0.loss);
    run.acc.push(e0.acc);
  }
  run.costs = method.costs();
  method.end?.();
  w.endRun();
  model.dispose();
  opt.dispose();
  run.tensorDelta = tf.memory().numTensors - before;
  return run;
}

/**
 * Where a scored series first reaches `target`, linearly interpolated between evaluation points
 * (in the unit of `at`: wall ms or steps); NaN when it never does.
 */
export function reachAt(loss: number[], at: number[], target: number): number {
  for (let e = 1; e < loss.length; e++) {
    if (loss[e] <= target) {
      const a = loss[e - 1];
      const b = loss[e];
      const f = a <= target ? 0 : Math.min(1, Math.max(0, (a - target) / (a - b)));
      return at[e - 1] + f * (at[e] - at[e - 1]);
    }
  }
  return NaN;
}

/** The race target of a plain run: the mean of its last three evaluations. */
export function plainTarget(loss: number[]): number {
  const last = loss.slice(-3);
  return last.reduce((a, b) => a + b, 0) / last.length;
}
