import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../shared/data/dataset.js';
import { mulberry32 } from '../../src/linalg/random.js';
import { buildSolverNet, physicsLoss, physicsLossValue } from '../shared/de-solver/network.js';
import { solverOptimizer } from '../shared/de-solver/optimizers.js';
import { makeOptimizer } from '../shared/optimizers.js';
import { setLearningRate } from '../../src/tfjs/learning-rate.js';
import { learningRate, trainingTimes } from '../shared/de-solver/problem.js';
import { MLP_ADADELTA, buildMlp } from '../shared/mlp.js';
import { buildCnn } from '../shared/cnn.js';

export const WORKLOADS = ['fashion-mlp', 'fashion-mlp-wide', 'fashion-cnn', 'de-solver'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export const OPTIMIZERS_BY_WORKLOAD: Record<WorkloadName, readonly string[]> = {
  'fashion-mlp': ['adam', 'sgd-momentum', 'adadelta'],
  'fashion-mlp-wide': ['adam', 'sgd-momentum', 'adadelta'],
  'fashion-cnn': ['adam'],
  'de-solver': ['adam', 'adagrad', 'adadelta'],
};

/** The Fashion-MNIST workloads. */
export type FashionName = 'fashion-mlp' | 'fashion-mlp-wide' | 'fashion-cnn';

/** Hidden widths of the Fashion-MNIST MLPs. */
const WIDTHS: Record<'fashion-mlp' | 'fashion-mlp-wide', number[]> = { 'fashion-mlp': [20, 20, 20], 'fashion-mlp-wide': [128, 64] };

/** Sizes of the Fashion-MNIST race, all disjoint parts of the 60 000 training images. */
export interface FashionSizes {
  /** @default 12000 */
  train: number;
  /** Scored validation images. @default 5000 */
  validation: number;
  /** Images the Koopman guards evaluate on (never the scored ones). @default 1000 */
  guard: number;
  /** @default 64 */
  batchSize: number;
}
export const FASHION_DEFAULTS: Readonly<FashionSizes> = Object.freeze({ train: 12_000, validation: 5_000, guard: 1_000, batchSize: 64 });

/** One training problem with one optimizer: everything a race method needs, model-agnostic. */
export interface Workload {
  name: WorkloadName;
  optimizer: string;
  /** Evaluation points ("epochs"; for the DE solver, blocks of steps). */
  epochs: number;
  stepsPerEpoch: number;
  /** A fresh model: the same initial weights for a seed, every time. */
  build(seed: number): tf.LayersModel;
  makeOptimizer(): tf.Optimizer;
  /** Prepares the data order of an epoch (the same for every method of a seed). */
  beginEpoch(seed: number, epoch: number): void;
  /** One optimizer step (global step index from 0); returns the mini-batch loss. */
  step(model: tf.LayersModel, opt: tf.Optimizer, step: number): number;
  /** The scored loss (and accuracy, NaN where none) of the model's current weights. */
  evaluate(model: tf.LayersModel): { loss: number; acc: number };
  /** The loss a guard may use (held-out images or the physics loss). */
  guardLoss(model: tf.LayersModel): number;
  /**
   * The guard's held-out inputs and targets, for a plugin guarded by `validationData` (the
   * loss of model.evaluate on them equals {@link guardLoss}); null when the guard is a loss function.
   */
  guardData: [tf.Tensor, tf.Tensor] | null;
  /** Frees what one run made (the epoch's shuffled data). */
  endRun(): void;
  /** Frees everything the workload holds. */
  dispose(): void;
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function fashionOptimizer(name: string): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(1e-3);
    case 'sgd-momentum':
      return tf.train.momentum(0.05, 0.9);
    case 'adadelta':
      return makeOptimizer(MLP_ADADELTA);
    default:
      throw new Error(`fashion optimizer must be adam, sgd-momentum or adadelta; got ${name}`);
  }
}

/** Images and one-hot labels, in blocks of at most {@link EVAL_BLOCK} rows. */
interface Block {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/**
 * Rows per evaluation block. The scored and guard sets are stored as blocks of this size rather
 * than sliced at evaluation time: tfjs-wasm's Slice kernel copies the whole source tensor to the
 * JavaScript heap before taking the slice (O(source), not O(slice)).
 */
const EVAL_BLOCK = 1000;

interface FashionData {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  val: Block[];
  guard: Block[];
  /** The guard images in one tensor (model.evaluate batches by gathering rows, no Slice). */
  guardAll: Block;
}

function disposeData(d: FashionData): void {
  tf.dispose([d.x, d.y, ...[...d.val, ...d.guard, d.guardAll].flatMap((b) => [b.x, b.y])]);
}

let fashionCache: { key: string; data: FashionData } | null = null;

/** The disjoint train / validation / guard images (a fixed seeded split, the same for every seed). */
function fashionData(sizes: FashionSizes): FashionData {
  const key = `${sizes.train}/${sizes.validation}/${sizes.guard}`;
  if (fashionCache?.key === key) return fashionCache.data;
  if (fashionCache) disposeData(fashionCache.data);
  const ds = loadDataset({ dataset: 'fashion' });
  const n = ds.trainLabels.length;
  const need = sizes.train + sizes.validation + sizes.guard;
  if (need > n) throw new Error(`Fashion-MNIST has ${n} training images; the race asks for ${need}`);
  const rand = mulberry32(20_251);
  const order = Array.from({ length: n }, (_, i) => i);
  shuffle(order, rand);
  const take = (from: number, count: number): [tf.Tensor2D, tf.Tensor2D] => {
    const xs = new Float32Array(count * 784);
    const ys = new Float32Array(count * 10);
    for (let i = 0; i < count; i++) {
      const s = order[from + i];
      xs.set(ds.trainImages.subarray(s * 784, s * 784 + 784), i * 784);
      ys[i * 10 + ds.trainLabels[s]] = 1;
    }
    return [tf.tensor2d(xs, [count, 784]), tf.tensor2d(ys, [count, 10])];
  };
  const blocks = (from: number, count: number): Block[] => {
    const out: Block[] = [];
    for (let s = 0; s < count; s += EVAL_BLOCK) {
      const [bx, by] = take(from + s, Math.min(EVAL_BLOCK, count - s));
      out.push({ x: bx, y: by });
    }
    return out;
  };
  const [x, y] = take(0, sizes.train);
  const [gx, gy] = take(sizes.train + sizes.validation, sizes.guard);
  const data = { x, y, val: blocks(sizes.train, sizes.validation), guard: blocks(sizes.train + sizes.validation, sizes.guard), guardAll: { x: gx, y: gy } };
  fashionCache = { key, data };
  return data;
}

function shuffle<T>(a: T[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** The network's view of rows of flat images: themselves, or [n, 28, 28, 1] for the CNN (a reshape, no copy). */
type Shape = (x: tf.Tensor2D) => tf.Tensor;
const flat: Shape = (x) => x;
const image: Shape = (x) => x.reshape([x.shape[0], 28, 28, 1]);

/** Mean cross-entropy and accuracy of the model over the blocks (each one forward pass). */
function crossEntropy(model: tf.LayersModel, blocks: Block[], shape: Shape): { loss: number; acc: number } {
  let n = 0;
  let loss = 0;
  let hits = 0;
  for (const b of blocks) {
    const [l, h] = tf.tidy(() => {
      const p = model.apply(shape(b.x)) as tf.Tensor2D;
      const ce = tf.metrics.categoricalCrossentropy(b.y, p).sum();
      const hit = tf.equal(p.argMax(1), b.y.argMax(1)).sum();
      return [ce.dataSync()[0], hit.dataSync()[0]];
    });
    loss += l;
    hits += h;
    n += b.x.shape[0];
  }
  return { loss: loss / n, acc: hits / n };
}

/**
 * A Fashion-MNIST workload: an MLP (784-20-20-20-10 or 784-128-64-10, ReLU, softmax,
 * cross-entropy) on flat images, or seed 003's CNN (experiments/shared/cnn.ts, He-normal
 * initialisation) on [28, 28, 1] images; the same images, split and data order for all three.
 */
export function fashionWorkload(name: FashionName, optimizer: string, epochs: number, sizes: FashionSizes = FASHION_DEFAULTS): Workload {
  if (name === 'fashion-cnn' && optimizer !== 'adam') throw new Error(`fashion-cnn runs with adam only; got ${optimizer}`);
  fashionOptimizer(optimizer).dispose();
  const data = fashionData(sizes);
  const shape = name === 'fashion-cnn' ? image : flat;
  // model.evaluate takes the guard images in the network's shape (a reshape shares the data)
  const guardX = shape(data.guardAll.x);
  const bs = sizes.batchSize;
  const stepsPerEpoch = Math.floor(sizes.train / bs);
  // The epoch's shuffled order; each step gathers its batch's rows by index (as fit() does).
  // Slicing a shuffled copy of the whole epoch instead costs O(epoch) a step on tfjs-wasm (its
  // Slice kernel copies the source tensor, 37.6 MB here, before slicing): 8× the step's CPU time.
  let order: Int32Array | null = null;
  return {
    name,
    optimizer,
    epochs,
    stepsPerEpoch,
    build: (seed) => (name === 'fashion-cnn' ? buildCnn(seed) : buildMlp(seed, WIDTHS[name])),
    makeOptimizer: () => fashionOptimizer(optimizer),
    beginEpoch(seed, epoch) {
      const o = Array.from({ length: sizes.train }, (_, i) => i);
      shuffle(o, mulberry32(seed * 7919 + epoch * 104_729 + 1));
      order = Int32Array.from(o);
    },
    step(model, opt, step) {
      const b = step % stepsPerEpoch;
      const rows = order!.subarray(b * bs, (b + 1) * bs);
      const l = tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const xb = shape(tf.gather(data.x, idx));
        const yb = tf.gather(data.y, idx);
        return opt.minimize(() => tf.metrics.categoricalCrossentropy(yb, model.apply(xb, { training: true }) as tf.Tensor).mean() as tf.Scalar, true, trainable(model))!;
      });
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    evaluate: (model) => crossEntropy(model, data.val, shape),
    guardLoss: (model) => crossEntropy(model, data.guard, shape).loss,
    guardData: [guardX, data.guardAll.y],
    endRun() {
      order = null;
    },
    dispose() {
      this.endRun();
      if (guardX !== data.guardAll.x) guardX.dispose();
    },
  };
}

/**
 * The DE solver of seed 004 (Sec. 4; experiments/de-solver's problem and network), full batch,
 * η(t) = 8/(1000 + t) on the optimizer's own step count, evaluated every `stepsPerEpoch` steps.
 */
export function deWorkload(optimizer: string, epochs: number, stepsPerEpoch: number): Workload {
  makeOptimizer(solverOptimizer(optimizer as 'adam')).dispose();
  const t = tf.tensor2d(trainingTimes(), [trainingTimes().length, 1]);
  return {
    name: 'de-solver',
    optimizer,
    epochs,
    stepsPerEpoch,
    build: (seed) => buildSolverNet(seed),
    makeOptimizer: () => makeOptimizer(solverOptimizer(optimizer as 'adam')),
    beginEpoch: () => undefined,
    step(model, opt, step) {
      setLearningRate(opt, learningRate(step));
      const l = opt.minimize(() => physicsLoss(model, t), true, trainable(model))!;
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    evaluate: (model) => ({ loss: physicsLossValue(model, t), acc: NaN }),
    guardLoss: (model) => physicsLossValue(model, t),
    guardData: null,
    endRun: () => undefined,
    dispose: () => t.dispose(),
  };
}

/** Frees the cached Fashion-MNIST tensors (the next fashion workload loads them again). */
export function releaseFashionData(): void {
  if (fashionCache) disposeData(fashionCache.data);
  fashionCache = null;
}
