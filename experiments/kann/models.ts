import * as tf from '@tensorflow/tfjs';
import { lastStep } from '../../plugins/kann/index.js';

/**
 * The three trained models. Every recurrent layer returns sequences so KANN can read its states;
 * the embedding is a bias-free Dense layer on one-hot tokens (the same map as tf.layers.embedding,
 * whose gradient needs UnsortedSegmentSum, which the wasm backend lacks). Initialisers are seeded.
 */
function init(seed: number) {
  return {
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
  };
}

function recurrent(seed: number) {
  return { ...init(seed), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1, gain: 1 }) };
}

/** Copy problem: LSTM → per-step softmax read-out (Dense on the sequence). */
export function copyModel(steps: number, inClasses: number, outClasses: number, units: number, seed: number) {
  const input = tf.input({ shape: [steps, inClasses] });
  const rnn = tf.layers.lstm({ units, returnSequences: true, name: 'lstm', ...recurrent(seed) });
  const readout = tf.layers.dense({ units: outClasses, activation: 'softmax', name: 'readout', ...init(seed + 2) });
  const output = readout.apply(rnn.apply(input)) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: output }), readout };
}

/** Sentiment: one-hot → embedding (Dense, no bias) → GRU → last state → Dense(1, sigmoid). */
export function sentimentModel(steps: number, vocab: number, embed: number, units: number, seed: number) {
  const input = tf.input({ shape: [steps, vocab] });
  const embedding = tf.layers.dense({ units: embed, useBias: false, name: 'embedding', ...init(seed) });
  const rnn = tf.layers.gru({ units, returnSequences: true, name: 'gru', ...recurrent(seed + 1) });
  const readout = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'readout', ...init(seed + 3) });
  const last = lastStep({ name: 'last' });
  const output = readout.apply(last.apply(rnn.apply(embedding.apply(input)))) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: output }), readout };
}

/**
 * Beat autoencoder (the paper's / its code's layout): LSTM encoder → last state → repeated
 * `steps` times → LSTM decoder → Dense(1) per step. `decoder` maps an encoder state [n, units] to a
 * reconstruction [n, steps, 1] through the same layers.
 */
export function beatModel(steps: number, units: number, decoderUnits: number, seed: number) {
  const input = tf.input({ shape: [steps, 1] });
  const encoder = tf.layers.lstm({ units, returnSequences: true, name: 'encoder', ...recurrent(seed) });
  const last = lastStep({ name: 'last' });
  const repeat = tf.layers.repeatVector({ n: steps, name: 'repeat' });
  const decoderRnn = tf.layers.lstm({ units: decoderUnits, returnSequences: true, name: 'decoder', ...recurrent(seed + 2) });
  const out = tf.layers.dense({ units: 1, name: 'output', ...init(seed + 4) });
  const decode = (h: tf.SymbolicTensor) => out.apply(decoderRnn.apply(repeat.apply(h))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: decode(last.apply(encoder.apply(input)) as tf.SymbolicTensor) });
  const hIn = tf.input({ shape: [units] });
  const decoder = tf.model({ inputs: hIn, outputs: decode(hIn) });
  return { model, decoder };
}

/** Trains with Adam (no shuffling: the synthetic sets are i.i.d. already), printing one line per epoch; disposes the optimizer's state at the end. */
export async function train(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  loss: string,
  epochs: number,
  batchSize: number,
  learningRate: number,
  label: string,
): Promise<number[]> {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss });
  const losses: number[] = [];
  const t0 = Date.now();
  await model.fit(x, y, {
    epochs,
    batchSize,
    shuffle: false,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        losses.push(logs?.loss ?? NaN);
        console.log(`${label}: epoch ${epoch + 1}/${epochs} loss ${(logs?.loss ?? NaN).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      },
    },
  });
  optimizer.dispose();
  return losses;
}
