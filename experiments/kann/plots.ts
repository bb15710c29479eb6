import { cabs, type Complex } from '../../src/linalg/complex.js';
import { eigenvalueSvg } from '../../plugins/spectrum-monitor/svg.js';

/** The eigenvalues of C in the complex plane, marker area ∝ the eigenvector's mean projection magnitude. */
export function kannEigenSvg(eigenvalues: Complex[], meanMagnitude: number[], title: string): string {
  const total = meanMagnitude.reduce((a, b) => a + b, 0) || 1;
  return eigenvalueSvg(
    { eigenvalues, share: meanMagnitude.map((v) => v / total), kept: eigenvalues.map(() => true), spectralRadius: Math.max(0, ...eigenvalues.map(cabs)) },
    { title, nearOneRadius: 0.01 },
  );
}

export interface HeatRow {
  label: string;
  values: number[];
}

/**
 * A heat map as a standalone SVG: one row of cells per entry, shaded white → dark blue by the
 * value divided by the row's maximum; optional labels under the columns (tokens) and group titles.
 */
export function heatmapSvg(groups: { title: string; rows: HeatRow[]; columns?: string[] }[], title: string): string {
  const cell = 16;
  const left = 150;
  let y = 34;
  const width = left + cell * Math.max(1, ...groups.flatMap((g) => g.rows.map((r) => r.values.length))) + 20;
  const parts: string[] = [];
  for (const g of groups) {
    parts.push(`<text x="8" y="${y + 12}" font-size="12" font-weight="bold">${esc(g.title)}</text>`);
    y += 18;
    for (const r of g.rows) {
      const max = Math.max(1e-300, ...r.values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
      parts.push(`<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(r.label)}</text>`);
      r.values.forEach((v, i) => {
        const a = Number.isFinite(v) ? Math.abs(v) / max : 0;
        const c = shade(a);
        parts.push(`<rect x="${left + i * cell}" y="${y}" width="${cell}" height="${cell}" fill="${c}"><title>${esc(r.label)} t=${i}: ${v.toPrecision(3)}</title></rect>`);
      });
      y += cell;
    }
    if (g.columns) {
      g.columns.forEach((c, i) => {
        const x = left + i * cell + cell / 2;
        parts.push(`<text x="${x}" y="${y + 6}" font-size="9" transform="rotate(60 ${x} ${y + 6})">${esc(c)}</text>`);
      });
      y += 44;
    }
    y += 10;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/><text x="8" y="20" font-size="13">${esc(title)}</text>${parts.join('')}</svg>`
  );
}

function shade(a: number): string {
  const t = Math.max(0, Math.min(1, a));
  const r = Math.round(255 - t * (255 - 8));
  const g = Math.round(255 - t * (255 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
