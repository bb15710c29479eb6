/** The study's SVG plots of one run (Fig. 2 of seed 003). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eigenvalueSvg } from '../../plugins/spectrum-monitor/index.js';
import { svgPlot } from '../shared/report/index.js';
import { FIG2_NEAR_ONE, type WindowSpectrum } from './fig2.js';
import type { RunLog } from './record.js';

/** Fig. 2 of seed 003 for one run: loss curves and the six eigenvalue plots. */
export function writePlots(out: string, log: RunLog, fig2: WindowSpectrum[]): void {
  const dir = join(out, 'plots');
  const base = `${log.model}-${log.init}`;
  const t = log.points.map((_, i) => i);
  writeFileSync(
    join(dir, `${base}-loss.svg`),
    svgPlot(
      [
        { name: 'train (L_tr)', x: t, y: log.points.map((p) => p.trainLoss) },
        { name: 'validation', x: t, y: log.points.map((p) => p.valLoss) },
        { name: 'test', x: t, y: log.points.map((p) => p.testLoss) },
      ],
      { title: `${log.model}, ${log.init} init, seed ${log.seed}: cross-entropy`, xLabel: 'epoch', yLabel: 'loss', logY: true },
    ),
  );
  for (const f of fig2) {
    writeFileSync(
      join(dir, `${base}-${f.observable}-${f.label}.svg`),
      eigenvalueSvg(
        { ...f.spectrum, shareNearOne: f.shareNearOne },
        { title: `${log.model} ${log.init}: ${f.observable} observable, first ${f.window} snapshots`, nearOneRadius: FIG2_NEAR_ONE },
      ),
    );
  }
}
