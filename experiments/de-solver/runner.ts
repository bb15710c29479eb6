/**
 * Worker process of the de-solver experiment: started by {@link runPool} with `child_process.fork`,
 * it selects a backend once, then runs the jobs it is sent, reporting progress and results over IPC
 * (structured-clone serialisation, so NaN and typed arrays survive).
 */
import { selectBackend } from '../../src/backend/index.js';
import type { RunJob } from './results.js';
import { runJob } from './run.js';

type Message = { type: 'init'; backend: string } | { type: 'job'; id: number; job: RunJob } | { type: 'exit' };

let backend = '';
const send = (m: unknown) => process.send!(m);

// The parent went away (stopped or crashed): stop too rather than run on as an orphan.
process.on('disconnect', () => process.exit(0));

process.on('message', (raw) => {
  const msg = raw as Message;
  void (async () => {
    try {
      if (msg.type === 'init') {
        backend = (await selectBackend(msg.backend)).name;
        send({ type: 'ready', backend });
      } else if (msg.type === 'job') {
        const result = await runJob(msg.job, backend, (n) => send({ type: 'progress', id: msg.id, steps: n }));
        send({ type: 'result', id: msg.id, result });
      } else if (msg.type === 'exit') {
        process.exit(0);
      }
    } catch (err) {
      send({ type: 'error', id: (msg as { id?: number }).id ?? -1, message: (err as Error).stack ?? String(err) });
    }
  })();
});
