/** A small SVG of grey-scale / diverging heat maps in a grid (seed 000 Fig. 4b style). */
export interface HeatPanel {
  title: string;
  values: ArrayLike<number>;
  side: number;
  /** 'grey' (0…max) or 'diverging' (−m…m, blue–white–red). */
  scale: 'grey' | 'diverging';
}

export function heatmapSvg(rows: HeatPanel[][], title: string, cell = 4): string {
  const side = Math.max(...rows.flat().map((p) => p.side));
  const px = Math.max(2, Math.round((cell * 28) / side));
  const w = side * px;
  const gap = 14;
  const head = 30;
  const cols = Math.max(...rows.map((r) => r.length));
  const W = cols * (w + gap) + gap;
  const H = head + rows.length * (w + gap + 14) + gap;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="10">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${gap}" y="18" font-size="13">${escape(title)}</text>`,
  ];
  rows.forEach((row, r) => {
    row.forEach((p, c) => {
      const x0 = gap + c * (w + gap);
      const y0 = head + r * (w + gap + 14) + 12;
      parts.push(`<text x="${x0}" y="${y0 - 3}">${escape(p.title)}</text>`);
      let m = 0;
      for (let i = 0; i < p.values.length; i++) m = Math.max(m, Math.abs(p.values[i]));
      const q = p.side === side ? px : Math.round((px * side) / p.side);
      for (let i = 0; i < p.side; i++)
        for (let j = 0; j < p.side; j++) {
          const v = m > 0 ? p.values[i * p.side + j] / m : 0;
          parts.push(`<rect x="${x0 + j * q}" y="${y0 + i * q}" width="${q}" height="${q}" fill="${color(v, p.scale)}"/>`);
        }
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function color(v: number, scale: 'grey' | 'diverging'): string {
  if (scale === 'grey') {
    const g = Math.round(255 * (1 - Math.max(0, Math.min(1, v))));
    return `rgb(${g},${g},${g})`;
  }
  const t = Math.max(-1, Math.min(1, v));
  const a = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
