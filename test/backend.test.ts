import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/index.js';
import { describeJump } from '../plugins/koopman-training/index.js';

describe('selectBackend', () => {
  it('auto skips tfjs-node when it is not installed and says why, then uses wasm', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    const info = await selectBackend('auto');
    if (hasNode) {
      expect(info.name).toBe('tensorflow');
    } else {
      expect(info.name).toBe('wasm');
      expect(info.notes[0]).toMatch(/^tensorflow: /);
    }
    expect(tf.getBackend()).toBe(info.name);
  });

  it('forces a backend, and names the accepted values for a bad one', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    await expect(selectBackend('gpu')).rejects.toThrow('backend must be one of auto, tensorflow, node, wasm, cpu; got gpu');
  });
});

describe('describeJump', () => {
  it('prints one readable line with the decision, losses, ranks and timings', () => {
    const line = describeJump({
      step: 4690,
      horizon: 64,
      candidates: [{ horizon: 64, loss: 0.31 }],
      lossBefore: 0.35,
      lossAfter: 0.31,
      accepted: true,
      reason: 'best of 1 candidate horizons lowered the guard loss by 11.43%',
      snapshots: 2815,
      recordMs: 120,
      fitMs: 900,
      extrapolateMs: 3,
      guardMs: 40,
      ranks: { min: 1, median: 6, max: 20 },
      skippedGroups: [],
    });
    expect(line).toBe(
      '[koopman] step 4690: jumped 64 steps; loss 0.3500 → 0.3100; ranks 1/6/20; record 120 ms, fit 900 ms, extrapolate 3 ms, guard 40 ms. best of 1 candidate horizons lowered the guard loss by 11.43%',
    );
  });
});
