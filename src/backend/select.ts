import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2DBackpropFilter } from './wasm-conv2d-backprop-filter.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  name: string;
  /** Why this backend: what was tried and what failed. */
  notes: string[];
}

/**
 * Picks and initialises the tfjs backend: tfjs-node ('tensorflow') when it loads, else wasm,
 * else cpu. `choice` forces one ('node' is an alias of 'tensorflow'). tfjs-node is an optional
 * dependency: when it is not installed it is skipped silently (the reason is in `notes`).
 */
export async function selectBackend(choice: BackendChoice | string = 'auto'): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`backend must be one of ${BACKEND_CHOICES.join(', ')}; got ${choice}`);
  }
  const notes: string[] = [];
  const wanted: BackendName[] =
    choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice === 'node' ? 'tensorflow' : (choice as BackendName)];
  for (const name of wanted) {
    try {
      if (name === 'tensorflow') {
        await import(/* optional */ '@tensorflow/tfjs-node' as string);
      } else if (name === 'wasm') {
        await import('@tensorflow/tfjs-backend-wasm');
        registerWasmConv2DBackpropFilter();
      }
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      return { name: tf.getBackend(), notes };
    } catch (err) {
      notes.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
      if (choice !== 'auto') throw new Error(`backend '${choice}' could not be initialised: ${notes.join('; ')}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised: ${notes.join('; ')}`);
}
