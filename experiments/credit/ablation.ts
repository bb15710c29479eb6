import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/linalg/random.js';

export interface AblationResult {
  baseline: number;
  /** Per block: accuracy drop when `fraction` of its output units are mean-replaced (mean over draws), and when all are. */
  blocks: { name: string; drop: number; dropAll: number; lossRise: number }[];
  /** Per kernel layer: accuracy drop when one output channel (conv) or unit (dense) is mean-replaced. */
  kernels: { layer: string; drops: number[]; lossRises: number[] }[];
  /** Mean cross-entropy of the intact network on the test images. */
  baselineLoss: number;
}

type Score = { acc: number; loss: number };

/** Accuracy and mean cross-entropy −log p(label) (a continuous companion of the accuracy, less grainy on small test sets). */
function score(probs: tf.Tensor, labels: Int32Array): Score {
  const p = tf.tidy(() => probs.dataSync());
  const k = probs.shape[1] as number;
  let ok = 0;
  let loss = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    if (best === labels[i]) ok++;
    loss -= Math.log(Math.max(p[i * k + labels[i]], 1e-12));
  }
  return { acc: ok / labels.length, loss: loss / labels.length };
}

/**
 * The independent check of the credits: knock out a block's output (replace units by their mean
 * over the test inputs) and measure the accuracy drop. Whole-block knockout leaves a constant
 * signal to the next block, so every block of a chain drops to the same chance level; the ranking
 * uses the partial knockout of a random `fraction` of the units (same fraction for every block),
 * averaged over `draws`. Kernels: one channel / unit at a time, mean-replaced.
 */
export function ablate(
  model: tf.Sequential,
  x: tf.Tensor,
  labels: Int32Array,
  blocks: { name: string; layers: string[] }[],
  kernelLayers: string[],
  fraction: number,
  draws: number,
  seed: number,
): AblationResult {
  const layers = model.layers;
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const runFrom = (start: number, t: tf.Tensor): tf.Tensor => {
    let y = t;
    for (let i = start; i < layers.length; i++) y = layers[i].apply(y, { training: false }) as tf.Tensor;
    return y;
  };
  const runTo = (end: number): tf.Tensor => {
    let y = x;
    for (let i = 0; i <= end; i++) y = layers[i].apply(y, { training: false }) as tf.Tensor;
    return y;
  };
  const base = tf.tidy(() => score(runFrom(0, x), labels));
  const baseline = base.acc;
  const rng = mulberry32(seed * 7919 + 13);
  const outBlocks = blocks.map((b) => {
    const end = index.get(b.layers[b.layers.length - 1]) as number;
    return tf.tidy(() => {
      const act = runTo(end);
      const mean = act.mean(0, true);
      const units = act.size / act.shape[0];
      const unitShape = act.shape.slice(1);
      let acc = 0;
      let loss = 0;
      for (let d = 0; d < draws; d++) {
        const m = new Float32Array(units);
        for (let j = 0; j < units; j++) m[j] = rng() < fraction ? 1 : 0;
        const sc = tf.tidy(() => {
          const mask = tf.tensor(m, [1, ...unitShape]);
          const knocked = act.mul(tf.scalar(1).sub(mask)).add(mean.mul(mask));
          return score(runFrom(end + 1, knocked), labels);
        });
        acc += sc.acc;
        loss += sc.loss;
      }
      const all = tf.tidy(() => score(runFrom(end + 1, mean.tile([act.shape[0], ...unitShape.map(() => 1)])), labels));
      return { name: b.name, drop: baseline - acc / draws, dropAll: baseline - all.acc, lossRise: loss / draws - base.loss };
    });
  });
  const kernels = kernelLayers.map((name) => {
    const end = index.get(name);
    if (end === undefined) throw new Error(`ablate: no layer '${name}'`);
    return tf.tidy(() => {
      const act = runTo(end);
      const mean = act.mean(0, true);
      const channels = act.shape[act.shape.length - 1];
      const drops: number[] = [];
      const lossRises: number[] = [];
      for (let c = 0; c < channels; c++) {
        const sc = tf.tidy(() => {
          const sel = new Float32Array(channels);
          sel[c] = 1;
          const mask = tf.tensor(sel, [...act.shape.slice(0, -1).map(() => 1), channels]);
          const knocked = act.mul(tf.scalar(1).sub(mask)).add(mean.mul(mask));
          return score(runFrom(end + 1, knocked), labels);
        });
        drops.push(baseline - sc.acc);
        lossRises.push(sc.loss - base.loss);
      }
      return { layer: name, drops, lossRises };
    });
  });
  return { baseline, baselineLoss: base.loss, blocks: outBlocks, kernels };
}
