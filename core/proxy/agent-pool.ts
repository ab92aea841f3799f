/**
 * What requests to each backend go out with: a keep-alive agent, made on
 * first use, and the backend's URL parsed once for http-proxy. Without an
 * agent http-proxy sends `Connection: close` upstream on every request, so
 * each request would pay a TCP handshake and leave a TIME_WAIT socket behind;
 * given the URL as a string, it would parse it again on every request.
 * An https:// backend's agent carries the service's TLS settings.
 */
import http from 'node:http';
import https from 'node:https';
import { parse, type Url } from 'node:url';
import type { Backend } from '../model/backend';
import { DEFAULT_UPSTREAM_TLS, tlsConnectOptions, type UpstreamTls } from './upstream-tls';

const AGENT_OPTIONS: http.AgentOptions = {
  keepAlive: true,
  keepAliveMsecs: 1000,
  maxSockets: 256,
  maxFreeSockets: 32,
  // Most recently used first: the pool stays small and warm under light load.
  scheduling: 'lifo',
  // Idle pooled sockets are closed after this; below Node's default 5 s server keep-alive,
  // and it lets the agent honour a shorter `Keep-Alive: timeout=N` hint from the backend.
  timeout: 4000,
};

/** One backend's way out: its agent and its URL as http-proxy's `target`, for the URL it was made for. */
export interface Upstream {
  readonly href: string;
  /** What http-proxy itself would make of `href` (`url.parse`), frozen because every request shares it. */
  readonly target: Readonly<Url>;
  readonly agent: http.Agent;
  /** https only: whether certificates are verified (http-proxy's `secure`). */
  readonly secure: boolean;
  /** The TLS settings' key the agent was made with. */
  readonly tlsKey: string;
}

export class AgentPool {
  private readonly upstreams = new Map<string, Upstream>();
  private tls: UpstreamTls = DEFAULT_UPSTREAM_TLS;

  /**
   * New TLS settings: https agents are remade on their next use. The old ones
   * are dropped, not destroyed, so requests on them finish; their idle
   * sockets close after the agent's timeout.
   */
  setTls(tls: UpstreamTls | undefined): void {
    this.tls = tls ?? DEFAULT_UPSTREAM_TLS;
  }

  /**
   * The backend's upstream, keyed by id and URL: remade when the URL changed
   * (`Backend.update()` replaces it), with a new agent only when the scheme
   * (or, for https, the TLS settings) did.
   */
  get(backend: Backend): Upstream {
    const href = backend.url.href;
    const known = this.upstreams.get(backend.id);
    const secure = backend.url.protocol === 'https:';
    const tlsKey = secure ? this.tls.key : '';
    if (known?.href === href && known.tlsKey === tlsKey) return known;
    let agent = known?.agent;
    if (agent && (agent instanceof https.Agent !== secure || known?.tlsKey !== tlsKey || (secure && known?.href !== href))) agent = undefined;
    agent ??= secure ? new https.Agent({ ...AGENT_OPTIONS, ...tlsConnectOptions(this.tls, backend.url.hostname) }) : new http.Agent(AGENT_OPTIONS);
    const upstream: Upstream = { href, target: Object.freeze(parse(href)), agent, secure: secure && this.tls.rejectUnauthorized, tlsKey };
    this.upstreams.set(backend.id, upstream);
    return upstream;
  }

  /** Destroys a removed backend's agent and its sockets. */
  forget(id: string): void {
    this.upstreams.get(id)?.agent.destroy();
    this.upstreams.delete(id);
  }

  destroyAll(): void {
    for (const { agent } of this.upstreams.values()) agent.destroy();
    this.upstreams.clear();
  }
}
