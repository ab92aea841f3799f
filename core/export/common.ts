/**
 * What the nginx, HAProxy and Caddy exporters share: backend addresses, the
 * hashing options of a strategy, status ranges, the header comment, and the
 * notes (a comment at the spot plus one ExportWarning) for what an engine
 * cannot express.
 */
import { LbError } from '../model/errors';
import { backendName, type BackendSpec, type ServiceSpec, type WorkspaceSpec } from '../model/spec';
import type { HashOn } from '../strategies/hash-key';
import { getStrategy, parseStrategyOptions } from '../strategies/registry';
import type { ExportMeta, ExportWarning } from './types';

/** A backend's host and port as engines write them: IPv6 in brackets, the scheme's default port filled in. */
export function backendAddress(b: BackendSpec): { host: string; port: number; hostPort: string; tls: boolean } {
  let url: URL;
  try {
    url = new URL(b.url);
  } catch {
    // A built-in demo backend gets its port when lbw starts it: there is no address to write.
    throw new LbError('EXPORT_UNSUPPORTED', `backend ${backendName(b)} has no address an engine can reach (a demo backend runs only inside lbw): give it a url`);
  }
  const tls = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  if (port === 0) {
    // A built-in demo backend without a fixed port listens wherever lbw starts it.
    throw new LbError('EXPORT_UNSUPPORTED', `backend ${backendName(b)} has no fixed port (a demo backend runs only inside lbw, on a port picked at start): give it a url, or its demo a port`);
  }
  const host = url.hostname; // keeps IPv6 brackets
  return { host, port, hostPort: `${host}:${port}`, tls };
}

/**
 * The path every backend URL puts before the request target (`http://h:1/api`
 * → `/api`, as lbw joins them), when they all agree; `mixed` when they do not,
 * which no engine's one upstream can express.
 */
export function pathPrefix(svc: ServiceSpec): { prefix: string | undefined; mixed: boolean } {
  const prefixes = new Set<string>();
  for (const b of svc.backends) {
    try {
      prefixes.add(new URL(b.url).pathname.replace(/\/$/, ''));
    } catch {
      // reported where its address is written
    }
  }
  if (prefixes.size > 1) return { prefix: undefined, mixed: true };
  const [only] = [...prefixes];
  return { prefix: only ? only : undefined, mixed: false };
}

/** Whether the backend's host is an address literal (no name to send as SNI or verify against). */
export function isIpHost(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** A name an engine accepts as an identifier: letters, digits and underscore, unique by its index. */
export function ident(prefix: string, index: number, name: string): string {
  return `${prefix}${index}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The hashing key of ring-hash and maglev (client-ip for every other strategy). */
export function hashKeyOf(svc: ServiceSpec): { hashOn: HashOn; key: string } | undefined {
  if (svc.strategy !== 'ring-hash' && svc.strategy !== 'maglev') return undefined;
  const opts = parseStrategyOptions(getStrategy(svc.strategy), svc.strategyOptions) as { hashOn: HashOn; key?: string };
  return { hashOn: opts.hashOn, key: opts.key ?? '' };
}

/** Whether the strategy uses backend weights at all (round-robin and peak-EWMA ignore them). */
export function usesWeights(svc: ServiceSpec): boolean {
  return getStrategy(svc.strategy).weighted ?? true;
}

/** `200-399,204` → [[200,399],[204,204]]. */
export function statusRanges(expect: string): Array<[number, number]> {
  return expect.split(',').map((part) => {
    const [lo, hi] = part.trim().split('-').map(Number) as [number, number | undefined];
    return [lo, hi ?? lo];
  });
}

/** Every status the ranges allow, in order. */
export function statusList(expect: string): number[] {
  const out = new Set<number>();
  for (const [lo, hi] of statusRanges(expect)) for (let s = lo; s <= hi; s++) out.add(s);
  return [...out].sort((a, b) => a - b);
}

/** A health check's `send`/`expect` text with its escapes (\r \n \t \\ \xHH) resolved to bytes. */
export function unescapeCheckText(text: string): Buffer {
  const s = text.replace(/\\(r|n|t|\\|x[0-9a-fA-F]{2})/g, (_m, e: string) =>
    e === 'r' ? '\r' : e === 'n' ? '\n' : e === 't' ? '\t' : e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16)),
  );
  return Buffer.from(s, 'latin1');
}

/** The header comment every export starts with: target version, lbw version, workspace. */
export function headerLines(engine: string, targets: string, meta: ExportMeta, ws: WorkspaceSpec): string[] {
  return [
    `${engine} configuration exported by LB Workbench (lbw ${meta.lbwVersion})`,
    `target: ${targets}`,
    `workspace: ${meta.workspace}${ws.name ? ` (${ws.name})` : ''}`,
    `Lines starting "lbw:" say where ${engine} differs from lbw; each also printed as a warning by lbw export.`,
  ];
}

/** The display name of a backend in comments. */
export function shownName(b: BackendSpec): string {
  return backendName(b);
}

/** Collects warnings; each `note` returns the comment text written at the spot. */
export class Notes {
  readonly warnings: ExportWarning[] = [];

  note(service: string, feature: string, fidelity: ExportWarning['fidelity'], message: string): string {
    this.warnings.push({ service, feature, fidelity, message });
    return `lbw: ${feature} (${fidelity}): ${message}`;
  }
}

/** The Caddy answer for TCP services, and any other whole-workspace refusal. */
export function unsupported(message: string): never {
  throw new LbError('EXPORT_UNSUPPORTED', message);
}

/** Engines bind fixed ports: a service on port 0 (the system picks one each run) cannot be exported as it is. */
export function requireFixedPorts(ws: WorkspaceSpec, engine: string): void {
  const ephemeral = ws.services.filter((s) => s.listen.endsWith(':0'));
  if (ephemeral.length > 0) {
    unsupported(`${ephemeral.map((s) => `"${s.name}"`).join(', ')} listen(s) on port 0, a port the system picks on each run; ${engine} needs a fixed port: set listen to host:port first`);
  }
}

/** Greatest common divisor, to write weights in their smallest form. */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
