/** The rows of the study's CSVs (runs, decisions, monitor decisions, Fig. 2 spectra) for one run. */
import type { Decision } from '../../plugins/spectrum-monitor/index.js';
import type { WindowSpectrum } from './fig2.js';
import type { RunLog } from './record.js';
import type { ReplayOutcome } from './replay.js';

/** The CSV rows a study collects, by file. */
export interface StudyRows {
  epochRows: Record<string, unknown>[];
  decisionRows: Record<string, unknown>[];
  monitorRows: Record<string, unknown>[];
  fig2Rows: Record<string, unknown>[];
}

/** Appends one run's rows (every epoch, every method's outcome, every monitor decision, every Fig. 2 window). */
export function pushRows(
  log: RunLog,
  outcomes: Record<string, ReplayOutcome>,
  decisions: Decision[],
  fig2: WindowSpectrum[],
  rows: StudyRows,
): void {
  const id = { model: log.model, init: log.init, seed: log.seed, bad: log.bad };
  log.points.forEach((p, t) => {
    rows.epochRows.push({
      ...id,
      epoch: t,
      train_loss: p.trainLoss,
      val_loss: p.valLoss,
      test_loss: p.testLoss,
      test_acc: p.testAcc,
      fit_loss: t > 0 ? log.fitLoss[t - 1] : NaN,
      epoch_ms: t > 0 ? log.epochMs[t - 1] : NaN,
    });
  });
  for (const [method, o] of Object.entries(outcomes)) {
    const end = log.points[o.epochsUsed];
    rows.decisionRows.push({
      ...id,
      method,
      budget: log.fitLoss.length,
      epochs_used: o.epochsUsed,
      stop_epoch: o.stopEpoch ?? '',
      action: o.action,
      rule: o.rule,
      final_test_loss: end.testLoss,
      final_test_acc: end.testAcc,
      final_val_loss: end.valLoss,
      reason: o.reason,
    });
  }
  for (const d of decisions) {
    const l = d.spectra.loss;
    const w = d.spectra.weights;
    rows.monitorRows.push({
      ...id,
      epoch: d.epoch,
      value: d.value ?? NaN,
      action: d.action,
      rule: d.rule,
      loss_share_near_one: l ? l.shareNearOne : NaN,
      loss_spectral_radius: l ? l.spectralRadius : NaN,
      loss_rank: l ? l.rank : NaN,
      weights_share_near_one: w ? w.shareNearOne : NaN,
      weights_spectral_radius: w ? w.spectralRadius : NaN,
      reason: d.reason,
    });
  }
  for (const f of fig2) {
    rows.fig2Rows.push({
      ...id,
      observable: f.observable,
      window_label: f.label,
      window: f.window,
      delays: f.delays,
      rank: f.spectrum.rank,
      kept: f.spectrum.kept.filter(Boolean).length,
      share_near_one: f.shareNearOne,
      share_near_zero: f.shareNearZero,
      mean_modulus: f.meanModulus,
      leading_transient_modulus: f.leadingTransient,
      spectral_radius: f.spectrum.spectralRadius,
      reconstruction_error: f.spectrum.reconstructionError,
    });
  }
}
