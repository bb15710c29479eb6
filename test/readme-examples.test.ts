import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as api from '../plugins/index.js';
import { rng } from './helpers.js';

// Every README example marked `<!-- example: NAME -->` runs as written, against a small model and
// data the test supplies under the names the examples use (model, x, y, xVal, yVal, snapshots, x0).

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

function examples(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g;
  for (const m of README.matchAll(re)) out.set(m[1], m[2]);
  return out;
}

function context() {
  const r = rng(3);
  const n = 640;
  const onehot = (k: number) => Array.from({ length: 10 }, (_, i) => (i === k ? 1 : 0));
  const X = Array.from({ length: n }, () => Array.from({ length: 784 }, () => r()));
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(labels.map(onehot));
  const xVal = tf.tensor2d(X.slice(0, 16));
  const yVal = tf.tensor2d(labels.slice(0, 16).map(onehot));
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 20, activation: 'relu', name: 'dense1' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense2' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const snapshots = Array.from({ length: 40 }, (_, t) => [Math.cos(0.2 * t) * 0.9 ** t + 1, Math.sin(0.2 * t) * 0.9 ** t, 0.5 - 0.01 * t]);
  return { tf, model, x, y, xVal, yVal, snapshots, x0: snapshots[39], ...api };
}

/** Runs an example's code with the context's names bound; import lines are the README's, not the test's. */
async function run(code: string, ctx: Record<string, unknown>): Promise<void> {
  const body = code.replace(/^import .*$/gm, '');
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
  const names = Object.keys(ctx);
  await new AsyncFunction(...names, body)(...names.map((k) => ctx[k]));
}

describe('README examples run as written', () => {
  const found = examples();
  it('finds the marked examples', () => {
    expect([...found.keys()].sort()).toEqual(['custom-loop', 'engine', 'fit', 'loop', 'monitor']);
  });
  for (const [name, code] of found) {
    it(`example '${name}'`, async () => {
      const log = console.log;
      console.log = () => undefined;
      try {
        await run(code, context());
      } finally {
        console.log = log;
      }
    });
  }
});
