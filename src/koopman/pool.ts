import type { SharedWindow, TrajectoryRecorder } from '../trajectory/recorder.js';
import { autoKernel } from '../linalg/kernels/select.js';
import { SvdWorkspace } from '../linalg/workspace.js';
import { fitShare, rankSummary, snapshotsFitted, type BatchFit, type FitStopRule } from './batch.js';
import { KoopmanOperator, type OperatorParts } from './operator.js';
import { resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './options.js';
import { recordedWindowFit, type WindowFit, type WindowSource } from './window.js';

/** One worker's share of a fit. */
export interface FitRequest {
  id: number;
  /** The groups' held windows (shared memory: read in place). */
  win: SharedWindow;
  /** Recorder group index of each window entry. */
  groups: number[];
  labels: string[];
  /** Newest snapshots fitted. */
  n: number;
  options: ResolvedFitOptions;
  strict: boolean;
  /** What 'auto' resolved to on the calling thread, so both threads run the same kernels. */
  kernel: 'wasm' | 'js';
  /** [0]: 1 = start no further group; [1]: groups fitted on every thread (incremented here). */
  control: Int32Array;
}

export interface FitResponse {
  id: number;
  results: ({ group: number; parts: OperatorParts } | { group: number; error: string })[];
}

/** The part of a Node `Worker` the pool uses (typed here so the package entry loads no `node:` module). */
interface ThreadHandle {
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', fn: (value: FitResponse | { ready: true }) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'exit', fn: (code: number) => void): void;
  off(event: string, fn: (...args: never[]) => void): void;
  terminate(): Promise<number>;
  unref(): void;
}

/**
 * Fits a recorder's groups on several threads: the calling thread and `threads` Node worker
 * threads, each fitting a share of the groups with the same {@link fitRows} (results are
 * bit-identical to the one-thread {@link import('./batch.js').fitRecorded}). The workers read
 * the recorder's window in place (its buffers are on a SharedArrayBuffer) and send back each
 * operator's parts (O(d·r) per group, transferred, not copied).
 *
 * Groups are dealt to the threads by their cost d·m·min(d, m) (largest first, to the least
 * loaded), so the wall time is about 1/(threads + 1) of the serial fit when there are many
 * groups and free cores; with one big group (a `layer` operator) there is nothing to share.
 * Starting costs ≈ 50–150 ms per worker (module load and WebAssembly compile), paid once by
 * {@link FitPool.start}; a fit then costs one message per worker each way. Node only: the
 * worker threads module is loaded when a pool starts, never by the package entry.
 */
export class FitPool {
  /** Worker threads (the calling thread fits its share too). */
  readonly threads: number;
  private readonly workers: ThreadHandle[];
  private next = 0;
  /** The calling thread's SVD workspace, kept across fits. */
  private readonly work = new SvdWorkspace();
  private broken: Error | null = null;
  private closed = false;

  private constructor(workers: ThreadHandle[]) {
    this.workers = workers;
    this.threads = workers.length;
  }

  /**
   * Starts `threads` worker threads (an integer ≥ 1) and resolves once each has loaded the fit
   * and its kernels. The workers are unref'd: an idle pool does not keep the process alive, but
   * call {@link close} when done.
   */
  static async start(threads: number): Promise<FitPool> {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`FitPool.start: threads must be an integer ≥ 1; got ${String(threads)}`);
    let WorkerCtor: new (script: URL | string, options: { eval?: boolean }) => ThreadHandle;
    try {
      ({ Worker: WorkerCtor } = (await import('node:worker_threads')) as unknown as { Worker: typeof WorkerCtor });
    } catch (err) {
      throw new Error(`FitPool.start: worker threads need Node (node:worker_threads did not load: ${(err as Error).message})`);
    }
    // Run from TypeScript sources (tsx, vitest), the worker is a .ts file: it registers tsx's
    // loader (a development dependency) before loading it.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './pool-worker.ts' : './pool-worker.js', import.meta.url);
    const spawn = () =>
      fromSource
        ? new WorkerCtor(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true })
        : new WorkerCtor(url, {});
    const workers = Array.from({ length: threads }, spawn);
    try {
      await Promise.all(workers.map((w) => once<{ ready: true }>(w, (m) => 'ready' in m)));
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new Error(`FitPool.start: a worker thread failed to start: ${(err as Error).message}`);
    }
    for (const w of workers) w.unref();
    return new FitPool(workers);
  }

  /**
   * {@link import('./batch.js').fitRecorded} on the pool: same arguments, same operators and
   * errors. `stop` is asked on the calling thread after each of its own groups, with the groups
   * fitted on every thread so far; once it says stop, no thread starts another group.
   */
  async fitRecorded(recorder: TrajectoryRecorder, options: FitOptions = {}, strict = false, last?: number, stop?: FitStopRule): Promise<BatchFit> {
    if (this.closed) throw new Error('FitPool: the pool is closed');
    if (this.broken) throw new Error(`FitPool: a worker thread failed earlier (${this.broken.message}); start a new pool`);
    const t0 = performance.now();
    const o = resolveFitOptions(options);
    const n = snapshotsFitted(recorder, last);
    const G = recorder.groups.length;
    const bins = dealByCost(recorder.groups.map((g) => g.indices.length), n, this.threads + 1);
    // [0]: 1 = stop; [1]: groups fitted on every thread
    const control = new Int32Array(new SharedArrayBuffer(8));
    const operators: (KoopmanOperator | null)[] = new Array<KoopmanOperator | null>(G).fill(null);
    const errors = new Map<number, string>();
    const kernel = autoKernel();
    const replies = bins.slice(1).map((groups, k) => {
      if (groups.length === 0) return Promise.resolve<FitResponse>({ id: -1, results: [] });
      const id = this.next++;
      const request: FitRequest = {
        id,
        win: recorder.share(groups),
        groups,
        labels: groups.map((g) => `group ${recorder.groups[g].id}`),
        n,
        options: o,
        strict,
        kernel,
        control,
      };
      const w = this.workers[k];
      const reply = once<FitResponse>(w, (m) => 'id' in m && m.id === id);
      w.postMessage(request);
      return reply;
    });
    // The calling thread's share, with the stop rule asked before each group.
    const own = bins[0];
    const mine = fitShare(recorder.share(own), n, o, own.map((g) => `group ${recorder.groups[g].id}`), this.work, (processed, failed) => {
      const done = processed > 0 ? Atomics.add(control, 1, 1) + 1 : Atomics.load(control, 1); // counts the group just finished
      const halt = Atomics.load(control, 0) === 1 || (failed && strict) || (done > 0 && stop !== undefined && stop.test(done, performance.now() - t0));
      if (halt) Atomics.store(control, 0, 1);
      return halt;
    });
    let failure: Error | null = null;
    mine.forEach((f, j) => {
      if (f === null) return;
      if ('op' in f) operators[own[j]] = f.op;
      else if (strict) failure ??= f.error;
      else errors.set(own[j], f.error.message);
    });
    let answers: FitResponse[];
    try {
      answers = await Promise.all(replies);
    } catch (err) {
      this.broken = err as Error;
      throw new Error(`FitPool: a worker thread failed during the fit: ${(err as Error).message}`);
    }
    for (const a of answers) {
      for (const r of a.results) {
        if ('parts' in r) operators[r.group] = new KoopmanOperator(r.parts);
        else if (strict) failure ??= new Error(r.error);
        else errors.set(r.group, r.error);
      }
    }
    if (failure) throw failure;
    let stopped = 0;
    for (let g = 0; g < G; g++) {
      if (operators[g] === null && !errors.has(g)) {
        stopped++;
        errors.set(g, stop?.reason ?? 'not fitted');
      }
    }
    return { operators, errors, ranks: rankSummary(operators), ms: performance.now() - t0, stopped };
  }

  /**
   * {@link import('./window.js').fitWindow} of a recorder's window on the pool: the same
   * {@link WindowFit} (operators bit-identical), with the groups' fits spread over the threads.
   */
  async fitWindow(source: Extract<WindowSource, { recorder: TrajectoryRecorder }>, options: FitOptions = {}, strict = false): Promise<WindowFit> {
    const t0 = performance.now();
    const rec = source.recorder;
    const fit = await this.fitRecorded(rec, options, strict, source.last, source.stop);
    return recordedWindowFit(rec, fit, source.stride, source.last, t0);
  }

  /** Ends the worker threads; a closed pool refuses fits. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Deals groups of dimensions `dims` (n snapshots each) into `bins` lists of group indices by
 * the cost d·n·min(d, n) of their fits: largest first, each to the least-loaded bin; bin 0
 * (the calling thread) wins ties. O(G·(log G + bins)).
 */
export function dealByCost(dims: readonly number[], n: number, bins: number): number[][] {
  const out: number[][] = Array.from({ length: bins }, () => []);
  const load = new Float64Array(bins);
  const order = dims.map((_, g) => g).sort((a, b) => dims[b] - dims[a] || a - b);
  for (const g of order) {
    let best = 0;
    for (let b = 1; b < bins; b++) if (load[b] < load[best]) best = b;
    out[best].push(g);
    load[best] += dims[g] * n * Math.min(dims[g], n);
  }
  for (const b of out) b.sort((x, y) => x - y);
  return out;
}

/** The first message of `w` that `match` accepts; rejects on the worker's error or exit. */
function once<T>(w: ThreadHandle, match: (m: FitResponse | { ready: true }) => boolean): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: FitResponse | { ready: true }) => {
      if (!match(m)) return;
      cleanup();
      resolve(m as T);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker exited with code ${code}`));
    };
    const cleanup = () => {
      w.off('message', onMessage as never);
      w.off('error', onError as never);
      w.off('exit', onExit as never);
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
