/** A one-line progress bar with an ETA, written to stderr (a plain line per update when not a TTY). */
export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    /** Minimum milliseconds between redraws (non-TTY streams print at most every 10 s). */
    private readonly everyMs = stream.isTTY ? 200 : 10_000,
  ) {}

  /** Advances by `n` units and redraws when due; `note` is shown after the bar. */
  tick(n = 1, note = ''): void {
    this.done = Math.min(this.total, this.done + n);
    const now = performance.now();
    if (now - this.lastDraw < this.everyMs && this.done < this.total) return;
    this.lastDraw = now;
    this.stream.write(this.render(now, note) + (this.stream.isTTY ? '\r' : '\n'));
  }

  /** Ends the line. */
  finish(note = ''): void {
    this.done = this.total;
    this.stream.write(this.render(performance.now(), note) + '\n');
  }

  render(now: number, note = ''): string {
    const frac = this.total > 0 ? this.done / this.total : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : NaN;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return `${this.label} [${bar}] ${(100 * frac).toFixed(0).padStart(3)}% ${this.done}/${this.total} elapsed ${fmtTime(elapsed)} eta ${Number.isFinite(eta) ? fmtTime(eta) : '?'}${note ? ' ' + note : ''}`;
  }
}

export function fmtTime(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
