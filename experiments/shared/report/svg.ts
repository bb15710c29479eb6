/** Minimal, dependency-free SVG charts for experiment reports. */
export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** 'line' (default) or 'points'. */
  style?: 'line' | 'points';
  color?: string;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Log-scale y axis (non-positive values are dropped). @default false */
  logY?: boolean;
  logX?: boolean;
  width?: number;
  height?: number;
  /** Vertical marker lines, e.g. a jump. */
  markers?: { x: number; label: string }[];
  /** Fixed y-axis range [low, high] (in data units); lines leaving it are clipped at the frame. @default the data's extent */
  yRange?: [number, number];
  /** Horizontal reference lines, e.g. a target loss (kept inside the y range). */
  hLines?: { y: number; label: string }[];
  /** Draw the line y = x (for scatter comparisons). @default false */
  diagonal?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

export function svgPlot(series: Series[], o: PlotOptions): string {
  const W = (o.width ?? 640) + Math.max(0, 7 * Math.max(0, ...series.map((s) => s.name.length)) - 110);
  const H = o.height ?? 400;
  const longest = Math.max(0, ...series.map((s) => s.name.length));
  const m = { l: 70, r: Math.max(120, 40 + 7 * longest), t: 36, b: 50 };
  const fx = (v: number) => (o.logX ? Math.log10(v) : v);
  const fy = (v: number) => (o.logY ? Math.log10(v) : v);
  const ok = (x: number, y: number) => Number.isFinite(fx(x)) && Number.isFinite(fy(y));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) s.x.forEach((x, i) => ok(x, s.y[i]) && (xs.push(fx(x)), ys.push(fy(s.y[i]))));
  for (const h of o.hLines ?? []) if (Number.isFinite(fy(h.y))) ys.push(fy(h.y));
  let [x0, x1] = extent(xs);
  let [y0, y1] = o.yRange ? [fy(o.yRange[0]), fy(o.yRange[1])] : extent(ys);
  if (o.diagonal) {
    x0 = y0 = Math.min(x0, y0);
    x1 = y1 = Math.max(x1, y1);
  }
  const px = (v: number) => m.l + ((fx(v) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((fy(v) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`,
  ];
  const clip = o.yRange ? ' clip-path="url(#plot-area)"' : '';
  if (o.yRange) out.push(`<clipPath id="plot-area"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}"/></clipPath>`);
  for (const t of ticks(x0, x1)) {
    const X = m.l + ((t - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
    out.push(`<line x1="${X}" y1="${H - m.b}" x2="${X}" y2="${H - m.b + 4}" stroke="#333"/>`);
    out.push(`<text x="${X}" y="${H - m.b + 16}" text-anchor="middle">${fmt(o.logX ? 10 ** t : t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const Y = H - m.b - ((t - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
    out.push(`<line x1="${m.l - 4}" y1="${Y}" x2="${m.l}" y2="${Y}" stroke="#333"/>`);
    out.push(`<line x1="${m.l}" y1="${Y}" x2="${W - m.r}" y2="${Y}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${Y + 4}" text-anchor="end">${fmt(o.logY ? 10 ** t : t)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text x="16" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`);
  if (o.diagonal) {
    const lo = o.logX ? 10 ** x0 : x0;
    const hi = o.logX ? 10 ** x1 : x1;
    out.push(`<line x1="${px(lo)}" y1="${py(lo)}" x2="${px(hi)}" y2="${py(hi)}" stroke="#999" stroke-dasharray="4 3"/>`);
  }
  for (const mk of o.markers ?? []) {
    const X = px(mk.x);
    out.push(`<line x1="${X}" y1="${m.t}" x2="${X}" y2="${H - m.b}" stroke="#555" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${X + 3}" y="${m.t + 12}">${esc(mk.label)}</text>`);
  }
  for (const h of o.hLines ?? []) {
    if (!Number.isFinite(fy(h.y))) continue;
    const Y = py(h.y);
    out.push(`<line x1="${m.l}" y1="${Y}" x2="${W - m.r}" y2="${Y}" stroke="#555" stroke-dasharray="6 3"/>`);
    out.push(`<text x="${m.l + 4}" y="${Y - 4}">${esc(h.label)}</text>`);
  }
  series.forEach((s, k) => {
    const c = s.color ?? PALETTE[k % PALETTE.length];
    const pts = s.x.map((x, i) => [x, s.y[i]]).filter(([x, y]) => ok(x, y));
    if ((s.style ?? 'line') === 'line') {
      const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.5"${clip}/>`);
    } else {
      for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${c}" fill-opacity="0.7"${clip}/>`);
    }
    const ly = m.t + 14 + 18 * k;
    out.push(`<rect x="${W - m.r + 10}" y="${ly - 9}" width="12" height="10" fill="${c}"/>`);
    out.push(`<text x="${W - m.r + 26}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function extent(v: number[]): [number, number] {
  if (!v.length) return [0, 1];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return [lo, hi];
}

function ticks(lo: number, hi: number): number[] {
  const span = hi - lo;
  const step = 10 ** Math.floor(Math.log10(span / 5 || 1));
  const mult = [1, 2, 5, 10].find((k) => span / (k * step) <= 6) ?? 10;
  const d = mult * step;
  const out: number[] = [];
  for (let t = Math.ceil(lo / d) * d; t <= hi + 1e-12; t += d) out.push(Number(t.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
