/**
 * lbw's metrics as Prometheus families: per service (what clients saw) and
 * per backend (attempts), counters from MetricsTotals, gauges from the
 * newest stats snapshot, plus the load generator's counters. Everything is
 * as of the last stats tick (500 ms by default).
 */
import { histogramSamples, renderExposition, type MetricFamily, type MetricType, type Sample } from './prometheus';
import { LATENCY_BUCKETS_S, type MetricsTotals, type TrafficTotals } from './metric-totals';

type Labels = Record<string, string>;

/** The families in a fixed order; each is rendered even when it has no samples yet, so its HELP is always there. */
class Families {
  private readonly byName = new Map<string, MetricFamily>();

  add(name: string, type: MetricType, help: string): void {
    this.byName.set(name, { name, type, help, samples: [] });
  }

  sample(name: string, labels: Labels, value: number, suffix?: string): void {
    const s: Sample = suffix === undefined ? { labels, value } : { labels, value, suffix };
    this.byName.get(name)!.samples.push(s);
  }

  samples(name: string, samples: Sample[]): void {
    this.byName.get(name)!.samples.push(...samples);
  }

  list(): MetricFamily[] {
    return [...this.byName.values()];
  }
}

/** The traffic families of one level (`service` or `backend`), registered in order. */
function addTrafficFamilies(f: Families, level: 'service' | 'backend'): void {
  const what = level === 'service' ? 'client requests to the service' : 'attempts to the backend (retries count once per backend tried)';
  f.add(`lbw_${level}_requests_total`, 'counter', `Ended ${what}.`);
  f.add(`lbw_${level}_responses_total`, 'counter', `Ended ${what} by response status class (code="2xx"...).`);
  f.add(`lbw_${level}_errors_total`, 'counter', `Failures of ${what} without a response, by kind (refused, reset, timeout, tls, other).`);
  f.add(`lbw_${level}_retries_total`, 'counter', level === 'service' ? 'Retries the proxy made for the service.' : 'Retries after a failed attempt to the backend.');
  f.add(`lbw_${level}_in_flight`, 'gauge', level === 'service' ? 'Client requests (or TCP connections) open at the last tick.' : 'Attempts to the backend open at the last tick.');
  f.add(`lbw_${level}_received_bytes_total`, 'counter', 'Bytes from clients (request bodies; TCP: client to backend).');
  f.add(`lbw_${level}_sent_bytes_total`, 'counter', 'Bytes to clients (response bodies; TCP: backend to client).');
  f.add(`lbw_${level}_request_duration_seconds`, 'histogram', level === 'service' ? 'Latency as clients saw it, retries included.' : 'Latency of attempts to the backend.');
}

function addTraffic(f: Families, level: 'service' | 'backend', labels: Labels, t: TrafficTotals, inFlight: number): void {
  f.sample(`lbw_${level}_requests_total`, labels, t.requests);
  for (const [code, n] of Object.entries(t.status)) f.sample(`lbw_${level}_responses_total`, { ...labels, code }, n);
  for (const [kind, n] of Object.entries(t.errors)) f.sample(`lbw_${level}_errors_total`, { ...labels, kind }, n);
  f.sample(`lbw_${level}_retries_total`, labels, t.retries);
  f.sample(`lbw_${level}_in_flight`, labels, inFlight);
  f.sample(`lbw_${level}_received_bytes_total`, labels, t.bytesIn);
  f.sample(`lbw_${level}_sent_bytes_total`, labels, t.bytesOut);
  const seconds = LATENCY_BUCKETS_S;
  f.samples(`lbw_${level}_request_duration_seconds`, histogramSamples(labels, seconds, t.buckets, t.latencySumMs / 1000, t.latencyCount));
}

/** The families for the current state. */
export function metricFamilies(totals: MetricsTotals): MetricFamily[] {
  const f = new Families();
  f.add('lbw_service_up', 'gauge', 'Whether the service is listening (1) or not (0).');
  addTrafficFamilies(f, 'service');
  f.add('lbw_service_no_backend_total', 'counter', 'Client requests answered 503 because no backend was available.');
  addTrafficFamilies(f, 'backend');
  f.add('lbw_backend_healthy', 'gauge', 'Whether the backend is healthy (1) or marked unhealthy by its health checks (0).');
  f.add('lbw_backend_ejected', 'gauge', 'Whether passive health checking has ejected the backend (1) or not (0).');
  f.add('lbw_backend_available', 'gauge', 'Whether the backend can take new requests now (active, not unhealthy, not ejected, not full).');
  f.add('lbw_backend_weight', 'gauge', 'The backend’s weight.');
  f.add('lbw_backend_ejections_total', 'counter', 'Times passive health checking ejected the backend.');
  f.add('lbw_load_running', 'gauge', 'Whether the load generator is running (1) or not (0).');
  f.add('lbw_load_requests_total', 'counter', 'Requests the load generator sent, over every run.');
  f.add('lbw_load_ok_total', 'counter', 'Load generator requests answered 2xx or 3xx.');
  f.add('lbw_load_failures_total', 'counter', 'Load generator requests that failed, by kind (status4xx, status5xx, refused, reset, timeout, other).');
  f.add('lbw_load_skipped_total', 'counter', 'Load generator requests due while maxInFlight were unanswered, not sent.');
  f.add('lbw_load_in_flight', 'gauge', 'Load generator requests unanswered at its last report (while it runs).');
  f.add('lbw_load_target_rate', 'gauge', 'Requests per second the open-loop schedule asks for now (while it runs).');

  for (const s of totals.latest()?.services ?? []) {
    const service = { service: s.name };
    f.sample('lbw_service_up', service, s.address === null ? 0 : 1);
    addTraffic(f, 'service', service, totals.service(s.name), s.inFlight);
    f.sample('lbw_service_no_backend_total', service, totals.noBackendTotal(s.name));
    for (const b of s.backends) {
      const labels = { service: s.name, backend: b.name };
      addTraffic(f, 'backend', labels, totals.backend(b.id), b.inFlight);
      f.sample('lbw_backend_healthy', labels, b.health === 'unhealthy' ? 0 : 1);
      f.sample('lbw_backend_ejected', labels, b.ejected ? 1 : 0);
      f.sample('lbw_backend_available', labels, b.available ? 1 : 0);
      f.sample('lbw_backend_weight', labels, b.weight);
      f.sample('lbw_backend_ejections_total', labels, b.ejections);
    }
  }

  const load = totals.load();
  const now = totals.loadNow();
  f.sample('lbw_load_running', {}, now.running ? 1 : 0);
  f.sample('lbw_load_requests_total', {}, load.sent);
  f.sample('lbw_load_ok_total', {}, load.ok);
  for (const [kind, n] of Object.entries(load.failed)) f.sample('lbw_load_failures_total', { kind }, n);
  f.sample('lbw_load_skipped_total', {}, load.skipped);
  if (now.running) {
    f.sample('lbw_load_in_flight', {}, now.inFlight);
    if (now.targetRate !== null) f.sample('lbw_load_target_rate', {}, now.targetRate);
  }
  return f.list();
}

/** The exposition text for the current state. */
export function renderMetrics(totals: MetricsTotals): string {
  return renderExposition(metricFamilies(totals));
}
