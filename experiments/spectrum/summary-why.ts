/** The measured causes behind each goal of the spectrum study, as sentences for summary.md. */
import { median } from '../../src/metrics/index.js';
import { fixed, percent } from '../shared/report/index.js';

/** A whole percentage with rounding noise around 0 shown as 0% (CSV-reloaded values differ in the last digits). */
const pct = (v: number): string => percent(Math.abs(v) < 0.005 ? 0 : v);
import { stopOracle, type GoalCheck, type MethodName, type RestartStats, type RunResult } from './measures.js';

const f3 = (x: number) => fixed(x, 3);

function afterOrBefore(lag: number): string {
  const n = Math.abs(lag);
  return `${n} epoch${n === 1 ? '' : 's'} ${lag < 0 ? 'before' : 'after'} it`;
}

/** Why the stop goal was (not) met, from the runs: which rule stopped them and how far from the best validation loss. */
export function stopWhy(g: GoalCheck, good: RunResult[]): string {
  const spectral = good.filter((r) => r.outcomes.spectrum.rule === 'fixed-point').length;
  // where the stop fell relative to the run's best validation loss (in epochs) and how much worse the validation loss was
  const where = (method: MethodName) =>
    good.map((r) => {
      let best = 1;
      for (let t = 1; t < r.points.length; t++) if (r.points[t].valLoss < r.points[best].valLoss) best = t;
      const end = r.outcomes[method].epochsUsed;
      return { lag: end - best, excess: r.points[end].valLoss / r.points[best].valLoss - 1 };
    });
  const sm = where('spectrum');
  const es = where('early-stopping-10');
  const facts =
    `The spectral fixed-point rule ended ${spectral} of ${good.length} good runs. ` +
    `Relative to each run's best validation epoch, the monitor stopped a median ${afterOrBefore(median(sm.map((x) => x.lag)))} (validation loss ${pct(median(sm.map((x) => x.excess)))} above the best), ` +
    `earlyStopping(10) ${afterOrBefore(median(es.map((x) => x.lag)))} (${pct(median(es.map((x) => x.excess)))} above).`;
  const o = stopOracle(good);
  const bound =
    ` What any stopping rule could do on these runs (computed from their recorded test losses): stopping each run at exactly 70% of earlyStopping(10)'s epochs gives a median test loss ${pct(o.lossAt70 - 1)} above earlyStopping(10)'s; ` +
    `the earliest epoch whose test loss is within 1% of earlyStopping(10)'s is a median ${f3(o.earliestRatio)} of its epochs, ≤ 0.7 in ${o.reachable} of ${good.length} runs — ` +
    (o.earliestRatio > 0.7
      ? 'so even a rule that could see the test loss could not meet the goal on most runs: earlyStopping(10) stops near the test-loss minimum here, and the test loss still falls by more than 1% over the last 30% of its epochs.'
      : 'so the goal is reachable on these runs by a rule that stops early enough.');
  if (g.stopMet) return facts + bound;
  const parts: string[] = [];
  if (g.epochRatio > 0.7 || g.pairedEpochRatio > 0.7) {
    parts.push(
      'earlyStopping(10) stops only about 10 epochs after the validation minimum, so saving 30% of its epochs means stopping before the minimum; ' +
        'the spectrum of the validation loss reaches the fixed-point criterion only around the minimum, where the loss stops falling',
    );
  }
  if (g.lossRatio > 1.01 || g.pairedLossRatio > 1.01) {
    parts.push('where the spectral rule does fire early, the validation (and test) loss is still falling: a slow transient with |λ| just inside the near-1 disc is indistinguishable from a fixed point over the window, and stopping there costs more than 1% test loss');
  }
  return `${facts} Why not: ${parts.join('; ')}.${bound}`;
}

export function restartWhy(results: RunResult[], rs: RestartStats, forecast: number | null = null): string {
  const missed = results.filter((r) => r.bad && !(r.outcomes.spectrum.action === 'restart' && (r.outcomes.spectrum.stopEpoch ?? Infinity) < rs.cutoff));
  const falses = results.filter((r) => !r.bad && r.outcomes.spectrum.action === 'restart' && (r.outcomes.spectrum.stopEpoch ?? Infinity) < rs.cutoff);
  const parts: string[] = [];
  if (missed.length) {
    const c = Math.ceil(rs.cutoff);
    parts.push(
      `Missed: ${missed
        .map((r) => {
          const o = r.outcomes.spectrum;
          const end = Math.min(c, r.points.length - 1);
          const from = Math.max(0, end - 10);
          const fall = 1 - r.points[end].valLoss / r.points[from].valLoss;
          const what = o.action === 'restart' ? `restarted only at epoch ${o.stopEpoch}` : o.action === 'stop' ? `stopped (${o.rule}) at epoch ${o.stopEpoch}` : `no decision in its ${r.budget} epochs`;
          return `${r.spec.model}/${r.spec.init}/seed ${r.spec.seed} (${what}; validation loss ${f3(r.points[end].valLoss)} at epoch ${end}, still falling ${pct(fall)} over the 10 epochs before)`;
        })
        .join(', ')}. ` +
        (forecast
          ? `These runs were above \`target\` and still falling fast enough that the Koopman forecast ${forecast} epochs ahead fell below it, so neither the fixed-point nor the forecast rule restarted them in time`
          : 'The monitor restarts a run that is not diverging only at a fixed point above `target`; a bad run whose loss still falls steadily by several per cent per 10 epochs is not at a fixed point, so it is not restarted in time. ' +
            'The forecast rule (`forecastEpochs`) catches such runs'),
    );
  }
  if (falses.length) parts.push(`False restarts: ${falses.map((r) => `${r.spec.model}/${r.spec.init}/seed ${r.spec.seed} (${r.outcomes.spectrum.rule} at epoch ${r.outcomes.spectrum.stopEpoch})`).join(', ')}`);
  const rules = results.filter((r) => r.bad && r.outcomes.spectrum.action === 'restart').map((r) => r.outcomes.spectrum.rule);
  const tally = [...new Set(rules)].map((k) => `${k} ${rules.filter((x) => x === k).length}`).join(', ');
  return `${tally ? `Restart rules on bad runs: ${tally}. ` : ''}${parts.join(' ')}${parts.length ? '.' : ''}`;
}
