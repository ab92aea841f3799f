/**
 * One keep-alive agent per backend, made on first use. Without an agent
 * http-proxy sends `Connection: close` upstream on every request, so each
 * request would pay a TCP handshake and leave a TIME_WAIT socket behind.
 */
import http from 'node:http';
import https from 'node:https';
import type { Backend } from '../model/backend';

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

export class AgentPool {
  private readonly agents = new Map<string, http.Agent>();

  /** The backend's agent, made (or remade, when its URL changed scheme) on demand. */
  get(backend: Backend): http.Agent {
    const tls = backend.url.protocol === 'https:';
    let agent = this.agents.get(backend.id);
    if (agent && agent instanceof https.Agent !== tls) {
      agent.destroy();
      agent = undefined;
    }
    if (!agent) {
      agent = tls ? new https.Agent(AGENT_OPTIONS) : new http.Agent(AGENT_OPTIONS);
      this.agents.set(backend.id, agent);
    }
    return agent;
  }

  /** Destroys a removed backend's agent and its sockets. */
  forget(id: string): void {
    this.agents.get(id)?.destroy();
    this.agents.delete(id);
  }

  destroyAll(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
