import { CREDIT_DEFAULTS, resolveCreditOptions, type CreditOptions, type ResolvedCreditOptions } from '../../src/credit/options.js';

/** Options of {@link koopmanCredit}: the engine's {@link CreditOptions} plus these. */
export interface KoopmanCreditOptions extends CreditOptions {
  /** Block partition: 'layers' (one block per conv / pool / dense layer) or lists of consecutive layer names. @default 'layers' */
  blocks?: 'layers' | string[][];
  /** Seed of the alignment draws (mulberry32). @default 0 */
  seed?: number;
  /** Batch size of the forward passes through a block. @default 256 */
  batchSize?: number;
  /**
   * Layers whose outputs get per-kernel credits: 'conv' = every Conv2D (one credit per output
   * channel), or layer names (a Dense layer's units count one each). The layer must end its block. @default 'conv'
   */
  kernels?: 'conv' | string[];
}

export type ResolvedKoopmanCreditOptions = ResolvedCreditOptions & { blocks: 'layers' | string[][]; seed: number; batchSize: number; kernels: 'conv' | string[] };

export const KOOPMAN_CREDIT_DEFAULTS: Readonly<ResolvedKoopmanCreditOptions> = Object.freeze({
  ...CREDIT_DEFAULTS,
  blocks: 'layers' as const,
  seed: 0,
  batchSize: 256,
  kernels: 'conv' as const,
});

/** Fills defaults; rejects unknown keys (naming them) and bad values. */
export function resolveKoopmanCreditOptions(options: KoopmanCreditOptions = {}): ResolvedKoopmanCreditOptions {
  if (options === null || typeof options !== 'object') throw new Error('koopmanCredit: options must be an object');
  const engine = resolveCreditOptions(options, ['blocks', 'seed', 'batchSize', 'kernels']);
  const blocks = options.blocks ?? KOOPMAN_CREDIT_DEFAULTS.blocks;
  if (blocks !== 'layers' && !(Array.isArray(blocks) && blocks.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string')))) {
    throw new Error(`blocks must be 'layers' or lists of layer names; got ${JSON.stringify(blocks)}`);
  }
  const seed = options.seed ?? KOOPMAN_CREDIT_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer; got ${String(seed)}`);
  const batchSize = options.batchSize ?? KOOPMAN_CREDIT_DEFAULTS.batchSize;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be an integer ≥ 1; got ${String(batchSize)}`);
  const kernels = options.kernels ?? KOOPMAN_CREDIT_DEFAULTS.kernels;
  if (kernels !== 'conv' && !(Array.isArray(kernels) && kernels.every((n) => typeof n === 'string'))) {
    throw new Error(`kernels must be 'conv' or a list of layer names; got ${JSON.stringify(kernels)}`);
  }
  return { ...engine, blocks, seed, batchSize, kernels };
}
