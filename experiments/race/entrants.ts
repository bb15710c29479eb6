import type { KoopmanTrainingArgs } from '../../plugins/koopman-training/index.js';
import { bestSettings } from '../shared/de-solver/config.js';
import { SOLVER_PARTITION } from '../shared/de-solver/config.js';
import {
  emaMethod,
  emaTfMethod,
  koopmanAutoMethod,
  koopmanPluginMethod,
  koopmanSnapshotMethod,
  lawaMethod,
  lookaheadMethod,
  plainMethod,
  type RaceMethod,
  type SnapshotPolicy,
} from './methods.js';
import type { Workload } from './workloads.js';
import { koopmanBestOfMethod } from './best-of.js';
import { DE_POLICIES, RESET_CONTROLS } from './de-policies.js';

/** The peers every Koopman method is compared with (best of them per run). */
export const PEERS = ['ema', 'ema-tf', 'lawa', 'lookahead'] as const;

/** Snapshot-space policies by method name (see {@link koopmanSnapshotMethod}). */
export const SNAPSHOT_POLICIES: Record<string, Partial<SnapshotPolicy>> = {
  'koopman+ema': { source: 'ema', mode: 'shadow' },
  'koopman-shadow': { source: 'raw', mode: 'shadow' },
  'koopman-jump': { source: 'raw', mode: 'jump' },
  'koopman+ema-jump': { source: 'ema', mode: 'jump' },
  'koopman+ema-n8': { source: 'ema', mode: 'shadow', snapshots: 8 },
  'koopman+ema-n32': { source: 'ema', mode: 'shadow', snapshots: 32 },
  'koopman+ema-grid': { source: 'ema', mode: 'shadow', search: 'grid' },
  'koopman+ema-k1': { source: 'ema', mode: 'shadow', k0: 1 },
  'koopman+ema-every2': { source: 'ema', mode: 'shadow', decideEvery: 2 },
  'koopman+ema-full': { source: 'ema', mode: 'shadow', rank: -1 },
};

/** Methods of the reference race, in the order of the first seed (later seeds rotate it). */
export const RACE_METHODS = ['plain', 'ema', 'lawa', 'lookahead', 'koopman', 'koopman-best'] as const;
export const KNOWN_METHODS = ['plain', ...PEERS, 'koopman', 'koopman-fixed', 'koopman-best', ...Object.keys(SNAPSHOT_POLICIES), ...Object.keys(DE_POLICIES), ...Object.keys(RESET_CONTROLS)];

/**
 * The plugin's explicit settings (`koopman-fixed`), the best found before the auto schedule: Fashion MLPs — quasi-node q = 32 everywhere,
 * a one-epoch window recorded every 4th step, a guarded decision every 3 epochs over horizons
 * 8 … 256; DE solver — experiments/de-solver's `best` scaled to the race's schedule.
 */
export function pluginArgs(w: Workload): Omit<KoopmanTrainingArgs, 'guard'> & { candidates?: number[] } {
  if (w.name === 'de-solver') {
    const total = w.epochs * w.stepsPerEpoch;
    const b = bestSettings({ steps: total, t1: 0, t2: 1, horizon: Math.max(1, Math.round((2_500 * total) / 60_000)) });
    return {
      partition: SOLVER_PARTITION,
      window: { start: b.start, end: b.start + b.window },
      recordEvery: b.recordEvery,
      every: b.every,
      horizon: b.candidates[b.candidates.length - 1],
      candidates: b.candidates,
      ...b.fit,
      optimizerState: b.optimizerState,
    };
  }
  const k = 4;
  const spe = w.stepsPerEpoch - (w.stepsPerEpoch % k);
  return {
    partition: { default: { kind: 'quasi-node', q: 32 }, unknown: 'skip' },
    window: { start: spe, end: 2 * spe },
    recordEvery: k,
    every: 3 * spe,
    horizon: 256,
    candidates: [8, 16, 32, 64, 128, 256],
  };
}

/** A fresh entrant by name; `emaDecay` is the EMA's (and the EMA-based policies') decay per step. */
export function makeMethod(name: string, emaDecay = 0.995): RaceMethod {
  if (name === 'plain') return plainMethod();
  if (name === 'ema') return emaMethod(emaDecay);
  if (name === 'ema-tf') return emaTfMethod(emaDecay);
  if (name === 'lawa') return lawaMethod();
  if (name === 'lookahead') return lookaheadMethod();
  if (name === 'koopman') return koopmanAutoMethod();
  if (name === 'koopman-fixed') return koopmanPluginMethod(pluginArgs);
  if (name === 'koopman-best') return koopmanBestOfMethod('koopman-best', { decay: emaDecay });
  if (RESET_CONTROLS[name]) return RESET_CONTROLS[name]();
  const de = DE_POLICIES[name];
  if (de) return koopmanPluginMethod(de, name);
  const p = SNAPSHOT_POLICIES[name];
  if (p) return koopmanSnapshotMethod(name, { decay: emaDecay, ...p });
  throw new Error(`unknown race method '${name}'; known: ${KNOWN_METHODS.join(', ')}`);
}
