// A FitPool worker thread (src/koopman/pool.ts): fits the groups it is sent with the same code as
// the calling thread and sends back each operator's parts. Loaded by URL from the pool only.
import { parentPort } from 'node:worker_threads';
import { setAutoKernel } from '../linalg/kernels/select.js';
import { SvdWorkspace } from '../linalg/workspace.js';
import { fitShare } from './batch.js';
import { fitRows } from './fit.js';
import { DEFAULT_FIT_OPTIONS } from './options.js';
import type { FitRequest, FitResponse } from './pool.js';

const port = parentPort;
if (!port) throw new Error('pool-worker: must run as a worker thread of a FitPool');
const work = new SvdWorkspace();

port.on('message', (req: FitRequest) => {
  setAutoKernel(req.kernel);
  const { control } = req;
  const fits = fitShare(req.win, req.n, req.options, req.labels, work, (processed, failed) => {
    if (processed > 0) Atomics.add(control, 1, 1); // the group just finished
    if (failed && req.strict) Atomics.store(control, 0, 1);
    return Atomics.load(control, 0) === 1;
  });
  const results: FitResponse['results'] = [];
  const transfer: ArrayBuffer[] = [];
  fits.forEach((f, j) => {
    if (f === null) return;
    const group = req.groups[j];
    if ('error' in f) {
      results.push({ group, error: f.error.message });
      return;
    }
    const parts = f.op.toParts();
    results.push({ group, parts });
    // move the arrays the operator owns outright; a view into a larger buffer is copied
    for (const v of Object.values(parts)) {
      if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteLength === v.buffer.byteLength && !transfer.includes(v.buffer)) transfer.push(v.buffer);
    }
  });
  port.postMessage({ id: req.id, results } satisfies FitResponse, transfer);
});

// Compile the kernels before the first request (WebAssembly instantiation is most of a cold start).
{
  const d = 6;
  const m = 24;
  const rows = Float64Array.from({ length: d * m }, (_, k) => Math.sin(0.37 * k) + 0.01 * k);
  fitRows(rows, d, m, { ...DEFAULT_FIT_OPTIONS, affine: true }, 'warm-up', work);
}
port.postMessage({ ready: true });
