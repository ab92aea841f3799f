/**
 * The failover matrix's record of what the backends themselves saw: GETs
 * answered per backend, every POST body received in full (by its id, so a
 * body delivered twice shows up here whatever the client saw), and the
 * connections and requests each backend accepted (how attempts are counted
 * when every backend fails). It is the ground truth the cell's assertions
 * compare against; the client's view is recorded separately (load.ts).
 */

/** The header that carries a client request's id to every backend it reaches. */
export const REQUEST_ID_HEADER = 'x-request-id';

export class Ledger {
  /** GETs answered, by backend name. */
  readonly getsServed = new Map<string, number>();
  /** POST id -> the backends that received its whole body, one entry per delivery. */
  readonly postDeliveries = new Map<string, string[]>();
  /** TCP connections accepted, by backend name. */
  readonly connections = new Map<string, number>();
  /** Requests whose headers arrived, by backend name. */
  readonly requests = new Map<string, number>();
  /** Request id -> how many times any backend received its headers (attempts that reached a backend). */
  readonly arrivals = new Map<string, number>();

  connection(backend: string): void {
    bump(this.connections, backend);
  }

  request(backend: string, requestId: string | undefined): void {
    bump(this.requests, backend);
    if (requestId) bump(this.arrivals, requestId);
  }

  getServed(backend: string): void {
    bump(this.getsServed, backend);
  }

  postDelivered(backend: string, postId: string): void {
    const list = this.postDeliveries.get(postId) ?? [];
    list.push(backend);
    this.postDeliveries.set(postId, list);
  }

  /** POST bodies that arrived in full more than once (at two backends, or twice at one). */
  duplicatedPosts(): string[] {
    return [...this.postDeliveries].filter(([, where]) => where.length > 1).map(([id]) => id);
  }

  count(map: Map<string, number>, backend: string): number {
    return map.get(backend) ?? 0;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
