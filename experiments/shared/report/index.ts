export { writeCsv } from './csv.js';
export { cellNumber, parseCsv, readCsv } from './csv-read.js';
export { ProgressBar, fmtTime } from './progress.js';
export { svgPlot, type PlotOptions, type Series } from './svg.js';
export { fixed, machineInfo, mdHeader, mdRow, mdTable, percent, precision, times, type MachineInfo } from './markdown.js';
