/**
 * The load generator's worker thread: runs one load spec (see ./engine) and
 * posts progress and the final summary to the thread that started it, which
 * can ask it to stop. Load runs here so that sending thousands of requests a
 * second does not take event-loop time from the proxy being measured.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad } from './engine';
import type { LoadSpec } from './spec';
import type { FromWorker, ToWorker } from './types';

const port = parentPort;
if (!port) throw new Error('core/demo/load/worker.ts runs as a worker thread; use LoadGenerator');

const post = (message: FromWorker) => port.postMessage(message);
// Validated by the LoadGenerator that started this thread; not parsed again, so zod is never loaded here.
const spec = (workerData as { spec: LoadSpec }).spec;
const run = runLoad(spec, (progress) => post({ type: 'progress', progress }));
port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') run.stop();
});
post({ type: 'started' });
void run.done.then((summary) => {
  post({ type: 'done', summary });
  port.close(); // nothing is left to keep the thread alive, so it exits
});
