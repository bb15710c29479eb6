import { cabs } from '../../src/linalg/complex.js';
import { SPECTRUM_MONITOR_DEFAULTS } from './options.js';
import type { SpectrumSummary } from '../../src/spectrum/spectrum.js';

/** Options of {@link eigenvalueSvg}. */
export interface EigenvalueSvgOptions {
  /** Width and height of the square plot in pixels. @default 360 */
  size?: number;
  /** Title drawn above the plot (escaped). @default '' */
  title?: string;
  /** Radius of the shaded disc around λ = 1 that counts as "near 1" (0 draws none). @default 0.02 (the monitor's default) */
  nearOneRadius?: number;
  /** Marker radius in pixels of a mode holding all the importance; others scale with √share. @default 12 */
  maxMarker?: number;
}

export const EIGENVALUE_SVG_DEFAULTS = Object.freeze({
  size: 360,
  title: '',
  nearOneRadius: SPECTRUM_MONITOR_DEFAULTS.nearOneRadius,
  maxMarker: 12,
});

/** What the plot needs from a spectrum. */
export type PlottableSpectrum = Pick<SpectrumSummary, 'eigenvalues' | 'share' | 'kept'> &
  Partial<Pick<SpectrumSummary, 'residuals' | 'shareNearOne' | 'spectralRadius'>>;

/**
 * The eigenvalues of a spectrum in the complex plane, as a standalone SVG document: the unit
 * circle, the "near 1" disc, kept modes as filled discs whose area is proportional to their share
 * of the importance (red when growing, |λ| > 1 + nearOneRadius), discarded (spurious) Ritz values as
 * small hollow grey circles. Each marker carries a tooltip with λ, its share and its residual.
 */
export function eigenvalueSvg(spectrum: PlottableSpectrum, options: EigenvalueSvgOptions = {}): string {
  if (spectrum === null || spectrum === undefined || !Array.isArray((spectrum as Partial<PlottableSpectrum>).eigenvalues)) {
    throw new Error(
      `eigenvalueSvg needs a spectrum with eigenvalues; got ${spectrum === null ? 'null' : typeof spectrum}. ` +
        'A decision has no spectrum until the window holds enough epochs (delays + 2 finite values for the loss observable, 3 snapshots for the weights): ' +
        'plot a later decision, or skip those whose spectrum is null',
    );
  }
  const o = { ...EIGENVALUE_SVG_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!(Number.isFinite(o.size) && o.size >= 100)) throw new Error(`size must be a number ≥ 100 (pixels); got ${String(o.size)}`);
  if (!(o.nearOneRadius >= 0 && o.nearOneRadius < 1)) throw new Error(`nearOneRadius must be a number in [0, 1); got ${String(o.nearOneRadius)}`);
  if (!(o.maxMarker > 0)) throw new Error(`maxMarker must be a number > 0 (pixels); got ${String(o.maxMarker)}`);
  const { eigenvalues, share, kept } = spectrum;
  if (share.length !== eigenvalues.length || kept.length !== eigenvalues.length) {
    throw new Error(`spectrum: eigenvalues, share and kept must have the same length; got ${eigenvalues.length}, ${share.length}, ${kept.length}`);
  }
  const size = o.size;
  const top = o.title ? 28 : 8;
  const bottom = 24;
  const plot = size - 16;
  let extent = 1.25;
  for (const l of eigenvalues) if (Number.isFinite(cabs(l))) extent = Math.max(extent, 1.1 * cabs(l));
  const scale = plot / 2 / extent;
  const cx = size / 2;
  const cy = top + plot / 2;
  const X = (re: number) => num(cx + re * scale);
  const Y = (im: number) => num(cy - im * scale);
  const height = top + plot + bottom;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${num(height)}" viewBox="0 0 ${size} ${num(height)}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect x="0" y="0" width="${size}" height="${num(height)}" fill="white"/>`);
  if (o.title) parts.push(`<text x="${cx}" y="18" text-anchor="middle" font-size="13">${escapeXml(o.title)}</text>`);
  // axes and unit circle
  parts.push(`<line x1="${X(-extent)}" y1="${Y(0)}" x2="${X(extent)}" y2="${Y(0)}" stroke="#bbb" stroke-width="1"/>`);
  parts.push(`<line x1="${X(0)}" y1="${Y(-extent)}" x2="${X(0)}" y2="${Y(extent)}" stroke="#bbb" stroke-width="1"/>`);
  parts.push(`<circle class="unit-circle" cx="${X(0)}" cy="${Y(0)}" r="${num(scale)}" fill="none" stroke="#555" stroke-dasharray="4 3"/>`);
  if (o.nearOneRadius > 0) {
    parts.push(
      `<circle class="near-one" cx="${X(1)}" cy="${Y(0)}" r="${num(Math.max(2, o.nearOneRadius * scale))}" fill="#2a2" fill-opacity="0.2" stroke="#2a2"/>`,
    );
  }
  parts.push(`<text x="${X(1)}" y="${num(cy + 14)}" text-anchor="middle" fill="#555">1</text>`);
  parts.push(`<text x="${X(-1)}" y="${num(cy + 14)}" text-anchor="middle" fill="#555">−1</text>`);
  parts.push(`<text x="${num(cx + 4)}" y="${num(cy - scale - 4)}" fill="#555">i</text>`);

  // discarded first, then kept from least to most important so the important ones are on top
  const order = eigenvalues.map((_, k) => k).sort((a, b) => Number(kept[a]) - Number(kept[b]) || share[a] - share[b]);
  for (const k of order) {
    const l = eigenvalues[k];
    if (!Number.isFinite(l.re) || !Number.isFinite(l.im)) continue;
    const res = spectrum.residuals?.[k];
    const tip = `λ = ${l.re.toFixed(4)} ${l.im < 0 ? '−' : '+'} ${Math.abs(l.im).toFixed(4)}i, |λ| = ${cabs(l).toFixed(4)}, share ${(100 * share[k]).toFixed(1)}%${
      res === undefined ? '' : `, residual ${res.toExponential(2)}`
    }${kept[k] ? '' : ' (discarded)'}`;
    if (!kept[k]) {
      parts.push(`<circle class="discarded" cx="${X(l.re)}" cy="${Y(l.im)}" r="3" fill="none" stroke="#999"><title>${escapeXml(tip)}</title></circle>`);
      continue;
    }
    const r = Math.max(2, o.maxMarker * Math.sqrt(Math.max(0, share[k])));
    const growing = cabs(l) > 1 + o.nearOneRadius;
    const colour = growing ? '#d22' : '#1f5fbf';
    parts.push(
      `<circle class="mode${growing ? ' growing' : ''}" cx="${X(l.re)}" cy="${Y(l.im)}" r="${num(r)}" fill="${colour}" fill-opacity="0.7" stroke="${colour}"><title>${escapeXml(tip)}</title></circle>`,
    );
  }
  if (o.nearOneRadius > 0) {
    // the disc's outline again on top, so markers at 1 do not hide it
    parts.push(
      `<circle cx="${X(1)}" cy="${Y(0)}" r="${num(Math.max(2, o.nearOneRadius * scale))}" fill="none" stroke="#2a2" stroke-dasharray="2 2"/>`,
    );
  }
  const footer: string[] = [`${kept.filter(Boolean).length} kept, ${kept.filter((x) => !x).length} discarded`];
  if (spectrum.spectralRadius !== undefined) footer.push(`ρ = ${spectrum.spectralRadius.toFixed(3)}`);
  if (spectrum.shareNearOne !== undefined) footer.push(`${(100 * spectrum.shareNearOne).toFixed(0)}% of importance near 1`);
  parts.push(`<text x="${cx}" y="${num(height - 8)}" text-anchor="middle" fill="#333">${escapeXml(footer.join(' · '))}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function num(x: number): string {
  return Number(x.toFixed(2)).toString();
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
