/** The compact live table `lbw run` draws on a terminal, and the plain log lines it prints elsewhere. */
import type { WorkbenchEvent } from '../core/contract/events';
import type { StatsSnapshot } from '../core/stats/types';

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const padL = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : ' '.repeat(n - s.length) + s);
const ms = (v: number | undefined) => (v === undefined ? '-' : v < 10 ? v.toFixed(1) : Math.round(v).toString());
const pct = (v: number) => `${Math.round(v * 100)}%`;

export function renderTable(snapshot: StatsSnapshot, recent: readonly string[]): string {
  const lines: string[] = [];
  for (const svc of snapshot.services) {
    lines.push(
      `${svc.name}  ${svc.address ?? '(not listening)'}  ${svc.strategy}  ${svc.rps.toFixed(0)} req/s  in-flight ${svc.inFlight}` +
        `  5xx ${svc.status['5xx']}  503(no backend) ${svc.noBackend}  retries ${svc.retries}`,
    );
    lines.push(
      `  ${pad('backend', 22)}${pad('health', 11)}${pad('state', 9)}${padL('w', 4)}${padL('req/s', 8)}${padL('infl', 6)}` +
        `${padL('p50', 7)}${padL('p99', 7)}${padL('err', 6)}${padL('share', 7)}${padL('expect', 8)}`,
    );
    for (const b of svc.backends) {
      const errors = b.errors.refused + b.errors.reset + b.errors.timeout + b.errors.other;
      const health = b.ejected ? 'ejected' : b.health;
      lines.push(
        `  ${pad(b.name, 22)}${pad(health, 11)}${pad(b.backup ? `${b.state}*` : b.state, 9)}${padL(String(b.weight), 4)}` +
          `${padL(b.rps.toFixed(0), 8)}${padL(String(b.inFlight), 6)}${padL(ms(b.latency?.p50), 7)}${padL(ms(b.latency?.p99), 7)}` +
          `${padL(String(errors), 6)}${padL(pct(b.share), 7)}${padL(pct(b.expectedShare), 8)}`,
      );
    }
    lines.push('');
  }
  if (recent.length) lines.push('recent events:', ...recent.map((r) => `  ${r}`));
  lines.push('', 'Ctrl-C to stop');
  return lines.join('\n');
}

export function describeEvent(e: WorkbenchEvent): string {
  const time = new Date(e.at).toISOString().slice(11, 23);
  switch (e.type) {
    case 'health:changed':
      return `${time} ${e.service}/${e.backend} ${e.from} -> ${e.to} (${e.cause})`;
    case 'backend:ejected':
      return `${time} ${e.service}/${e.backend} ejected for ${Math.round(e.durationMs / 1000)} s (${e.cause})`;
    case 'backend:returned':
      return `${time} ${e.service}/${e.backend} returned (${e.cause})`;
    case 'config:changed':
      return `${time} config changed: ${e.cause}`;
    case 'config:rejected':
      return `${time} change refused, nothing changed (${e.cause}): ${e.error.message}`;
    case 'service:listening':
      return `${time} ${e.service} listening on ${e.address}`;
    case 'service:stopped':
      return `${time} ${e.service} stopped`;
    case 'service:error':
      return `${time} ${e.service} error: ${e.error.message}`;
    case 'faults:changed':
      return `${time} ${e.service}/${e.backend} ${e.labels.length ? `faults: ${e.labels.join(', ')}` : 'faults cleared'}`;
    case 'demo:changed':
      return `${time} demo backend ${e.name} ${e.change}`;
    case 'load:started':
      return `${time} load started against ${e.target}${e.drill ? ` (drill ${e.drill})` : ''}`;
    case 'load:done':
      return `${time} load ended (${e.summary.reason}): ${e.summary.sent} sent, ${e.summary.ok} ok`;
    case 'drill:started':
      return `${time} drill ${e.drill} started on ${e.service}`;
    case 'drill:step':
      return `${time} drill ${e.drill}: ${e.label}${e.error ? ` failed: ${e.error.message}` : ''}`;
    case 'drill:done':
      return `${time} drill ${e.drill} ${e.result}: ${e.verdict.clean ? 'clean' : 'not clean'}`;
    case 'keyspace:moved':
      return `${time} ${e.service} key space: ${(e.move.moved * 100).toFixed(1)}% of keys moved (ideal ${(e.move.ideal * 100).toFixed(1)}%)`;
  }
}
