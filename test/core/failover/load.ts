/**
 * The failover matrix's clients: `concurrency` keep-alive clients (one
 * node:http Agent with maxSockets = concurrency) that between them send a
 * fixed number of requests, each client sending its next request as soon as
 * its last one ended. Every `postEvery`-th request is a POST with a unique id
 * in its body; every request carries its own id and a hash key of its own
 * (so hashing strategies spread requests over the ring). Every outcome the
 * client sees is recorded: a status, or a connection error, or no answer
 * within `timeoutMs`.
 */
import http from 'node:http';
import { postBody } from './backends';
import { REQUEST_ID_HEADER } from './ledger';

/** The header the hashing strategies are configured to hash on. */
export const HASH_HEADER = 'x-key';

export interface Outcome {
  index: number;
  method: 'GET' | 'POST';
  /** The status, when an answer arrived. */
  status?: number;
  /** The client-side error code (ECONNRESET, ...) or NO_ANSWER, when none did. */
  error?: string;
  /** From sending to the end of the answer (or the error). */
  ms: number;
  /** The x-backend header of the answer, when a backend gave it. */
  backend?: string;
  /** The x-lb-error header of an answer the balancer made itself (LB_UPSTREAM_RESET, ...). */
  lbError?: string;
}

export interface LoadOptions {
  port: number;
  requests: number;
  concurrency: number;
  /** Every n-th request is a POST (10: 10 % of them). */
  postEvery: number;
  /** Ids are `<idPrefix>-<index>`, so ids never repeat across cells. */
  idPrefix: string;
  /** A request with no answer after this long is abandoned and recorded as NO_ANSWER. */
  timeoutMs: number;
  /** Called as request `index` is about to be sent (the cell uses it to kill a backend at a point in the run). */
  onSend?: (index: number) => void;
}

export function isPost(index: number, postEvery: number): boolean {
  return index % postEvery === postEvery - 1;
}

export async function runLoad(opts: LoadOptions): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const outcomes: Outcome[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < opts.requests) {
      const index = next++;
      opts.onSend?.(index);
      outcomes.push(await one(agent, opts, index));
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, client));
  } finally {
    agent.destroy();
  }
  return outcomes.sort((a, b) => a.index - b.index);
}

function one(agent: http.Agent, opts: LoadOptions, index: number): Promise<Outcome> {
  const method = isPost(index, opts.postEvery) ? 'POST' : 'GET';
  const id = `${opts.idPrefix}-${index}`;
  const body = method === 'POST' ? postBody(id) : undefined;
  const headers: http.OutgoingHttpHeaders = { [REQUEST_ID_HEADER]: id, [HASH_HEADER]: id };
  if (body !== undefined) {
    headers['content-type'] = 'text/plain';
    headers['content-length'] = Buffer.byteLength(body);
  }
  const started = performance.now();
  return new Promise<Outcome>((resolve) => {
    let done = false;
    const finish = (o: Omit<Outcome, 'index' | 'method' | 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ index, method, ms: Math.round(performance.now() - started), ...o });
    };
    const req = http.request({ host: '127.0.0.1', port: opts.port, method, path: method === 'POST' ? '/orders' : '/items', headers, agent }, (res) => {
      res.on('data', () => {});
      res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
      res.on('end', () => {
        const who = res.headers['x-backend'];
        const lbError = res.headers['x-lb-error'];
        finish({ status: res.statusCode ?? 0, ...(typeof who === 'string' ? { backend: who } : {}), ...(typeof lbError === 'string' ? { lbError } : {}) });
      });
      // A body cut short: the answer did not arrive whole.
      res.on('close', () => finish({ error: 'BODY_CUT' }));
    });
    const timer = setTimeout(() => {
      finish({ error: 'NO_ANSWER' });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end(body);
  });
}
