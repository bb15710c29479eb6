import { describe, expect, it } from 'vitest';
import { KOOPMAN_TRAINING_DEFAULTS, koopmanTraining, resolveKoopmanTrainingArgs } from '../plugins/koopman-training/index.js';
import { spectrumMonitor } from '../plugins/spectrum-monitor/index.js';

const ok = { window: { start: 0, end: 10 }, horizon: 5 };

describe('plugin options: one defaults table, unknown keys named', () => {
  it('koopmanTraining rejects a misspelt option and names it with the accepted ones', () => {
    expect(() => koopmanTraining({ ...ok, horizn: 2 } as never)).toThrow(/^koopmanTraining: unknown option 'horizn'; accepted: window, horizon, partition, guard/);
    expect(() => koopmanTraining({ ...ok, window: { start: 0, end: 10, untis: 'epoch' } } as never)).toThrow("window: unknown option 'untis'; accepted: start, end, unit");
    expect(() => koopmanTraining({ ...ok, guard: { lossFn: () => 0, batchsize: 10 } } as never)).toThrow(/^guard: unknown option 'batchsize'; accepted: validationData, lossFn, candidates, batchSize/);
  });

  it('spectrumMonitor rejects a misspelt option and names it', () => {
    expect(() => spectrumMonitor({ patients: 3 } as never)).toThrow(/unknown spectrumMonitor option 'patients'/);
  });

  it('a horizon given as a string says it is a string', () => {
    expect(() => koopmanTraining({ ...ok, horizon: '2' as never })).toThrow("horizon must be an integer > 0 (steps to jump ahead); got '2' (a string)");
  });

  it('the options in force are the defaults constant with the user settings on top', () => {
    const kt = koopmanTraining({ ...ok, rank: 3, guard: { lossFn: () => 0 } });
    expect(kt.options.fit).toEqual({ rank: 3, ridge: 0, affine: true, stabilize: true, scale: false, tol: 1e-7 });
    expect(kt.options.partition).toEqual({ default: 'node', layers: {}, unknown: 'skip' });
    expect(kt.options.guard).toMatchObject({ batchSize: 1000, minImprovement: 0, agreement: null, candidates: null });
    expect(kt.options.recordEvery).toBe(KOOPMAN_TRAINING_DEFAULTS.recordEvery);
    expect(resolveKoopmanTrainingArgs(ok).window).toEqual({ start: 0, end: 10, unit: 'step' });
  });
});
