/**
 * `--admin HOST:PORT` on `lbw run` and `lbw serve`: starts the admin API
 * next to the workbench, with the Prometheus totals attached, and says once
 * where it is and which token it wants. Loopback unless asked otherwise;
 * another address gets the same kind of warning as a service listening
 * beyond loopback.
 */
import { isLoopbackAddress } from '../../core/config/exposure';
import { renderMetrics } from '../../core/stats/metric-families';
import { MetricsTotals, type TickSource } from '../../core/stats/metric-totals';
import { parseListen } from '../../core/model/spec';
import { UsageError } from '../usage';
import { newToken } from './auth';
import { startAdminServer, type AdminServer, type AdminWorkbench } from './server';

/** The environment variable that sets the token (otherwise a fresh one per run). */
export const TOKEN_ENV = 'LBW_ADMIN_TOKEN';

/** `127.0.0.1:9901`, `[::1]:9901`, `localhost:0` → host and port; a usage error otherwise. */
export function parseAdminAddress(value: string): { host: string; port: number } {
  const { host, port } = parseListen(value);
  if (!value.includes(':') || host === '' || !/^\d+$/.test(value.slice(value.lastIndexOf(':') + 1)) || port > 65535) {
    throw new UsageError(`--admin takes HOST:PORT, e.g. 127.0.0.1:9901; got "${value}"`);
  }
  return { host, port };
}

export interface StartedAdmin extends AdminServer {
  token: string;
  /** Made for this run (and printed), rather than taken from LBW_ADMIN_TOKEN. */
  generated: boolean;
}

/**
 * Starts the admin API; `command` names the lbw command in messages. The
 * token is printed (on `out`) only when it was generated here.
 */
export async function startAdmin(
  command: string,
  address: string,
  workbench: AdminWorkbench & TickSource,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedAdmin> {
  const { host, port } = parseAdminAddress(address);
  // An empty LBW_ADMIN_TOKEN counts as unset.
  const given = env[TOKEN_ENV] || undefined;
  if (given !== undefined && !/^[A-Za-z0-9\-._~+/]+=*$/.test(given)) throw new UsageError(`${TOKEN_ENV} must be a bearer token (letters, digits and -._~+/)`);
  const token = given ?? newToken();
  if (!isLoopbackAddress(host)) {
    io.err.write(`lbw ${command}: warning: the admin API listens on ${address}: anyone who can reach this machine and has the token can control the workbench (use 127.0.0.1:${port} to keep it on this machine)\n`);
  }
  const totals = new MetricsTotals();
  const detach = totals.attach(workbench);
  let server: AdminServer;
  try {
    server = await startAdminServer({ workbench, host, port, token, metrics: () => renderMetrics(totals) });
  } catch (err) {
    detach();
    throw err;
  }
  const shown = given === undefined ? `token: ${token}` : `token from ${TOKEN_ENV}`;
  io.out.write(`lbw ${command}: admin API on ${server.url} (${shown})\n`);
  return {
    ...server,
    token,
    generated: given === undefined,
    close: async () => {
      detach();
      await server.close();
    },
  };
}
