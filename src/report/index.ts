export { writeCsv } from './csv.js';
export { ProgressBar, fmtTime } from './progress.js';
export { svgPlot, type PlotOptions, type Series } from './svg.js';
