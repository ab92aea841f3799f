/**
 * Turns the rounds into the reported numbers: medians per contender and
 * connection count, ratios to nginx and to bare http-proxy, the text table,
 * and the goals checked against them.
 */
import type { ContenderId } from './contenders';
import type { LoadResult } from './load';

export interface Measurement {
  contender: ContenderId;
  connections: number;
  round: number;
  load: LoadResult;
  /** Proxy CPU over the run, in % of one core (utime + stime delta / wall time). */
  cpuPercent: number | undefined;
  /** Proxy CPU time per request served, µs. */
  cpuUsPerRequest: number | undefined;
  /** Peak RSS (VmHWM, summed over the proxy's processes) during the run, MB. */
  peakRssMb: number | undefined;
  /** CPU used by processes outside the bench during the run, % of one core: the noise on a shared machine. */
  otherCpuPercent: number | undefined;
}

export interface Row {
  contender: ContenderId;
  label: string;
  connections: number;
  rps: number;
  vsNginx: number | undefined;
  vsHttpProxy: number | undefined;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number | undefined;
  cpuUsPerRequest: number | undefined;
  peakRssMb: number | undefined;
  otherCpuPercent: number | undefined;
  errors: number;
  /** Every round's req/s, to show the spread. */
  roundsRps: number[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianDefined(xs: ReadonlyArray<number | undefined>): number | undefined {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length === 0 ? undefined : median(d);
}

export function buildRows(ms: readonly Measurement[], labels: ReadonlyMap<ContenderId, string>, order: readonly ContenderId[], connections: readonly number[]): Row[] {
  const rows: Row[] = [];
  for (const c of connections) {
    const at = ms.filter((m) => m.connections === c);
    const rpsOf = (id: ContenderId) => {
      const xs = at.filter((m) => m.contender === id).map((m) => m.load.rps);
      return xs.length > 0 ? median(xs) : undefined;
    };
    const nginx = rpsOf('nginx');
    const bare = rpsOf('http-proxy');
    for (const id of order) {
      const mine = at.filter((m) => m.contender === id);
      if (mine.length === 0) continue;
      const rps = median(mine.map((m) => m.load.rps));
      const peaks = mine.map((m) => m.peakRssMb).filter((x): x is number => x !== undefined);
      rows.push({
        contender: id,
        label: labels.get(id) ?? id,
        connections: c,
        rps,
        vsNginx: nginx ? rps / nginx : undefined,
        vsHttpProxy: bare ? rps / bare : undefined,
        p50Ms: median(mine.map((m) => m.load.p50Ms)),
        p99Ms: median(mine.map((m) => m.load.p99Ms)),
        cpuPercent: medianDefined(mine.map((m) => m.cpuPercent)),
        cpuUsPerRequest: medianDefined(mine.map((m) => m.cpuUsPerRequest)),
        peakRssMb: peaks.length > 0 ? Math.max(...peaks) : undefined,
        otherCpuPercent: medianDefined(mine.map((m) => m.otherCpuPercent)),
        errors: mine.reduce((s, m) => s + m.load.errors, 0),
        roundsRps: mine.map((m) => m.load.rps),
      });
    }
  }
  return rows;
}

const f = (x: number | undefined, digits = 0) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function formatTable(rows: readonly Row[]): string {
  const head = ['contender', 'conns', 'req/s', 'x nginx', 'x http-proxy', 'p50 ms', 'p99 ms', 'CPU %', 'CPU us/req', 'peak RSS MB', 'other %', 'errors', 'rounds req/s'];
  const body = rows.map((r) => [
    r.contender,
    String(r.connections),
    f(r.rps),
    f(r.vsNginx, 2),
    f(r.vsHttpProxy, 2),
    f(r.p50Ms, 2),
    f(r.p99Ms, 2),
    f(r.cpuPercent),
    f(r.cpuUsPerRequest, 1),
    f(r.peakRssMb, 1),
    f(r.otherCpuPercent),
    String(r.errors),
    r.roundsRps.map((x) => f(x)).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export interface Goal {
  goal: string;
  measured: string;
  pass: boolean | undefined;
}

/** The performance goals (README "Performance"), checked for LB Workbench with every feature on. */
export function checkGoals(rows: readonly Row[], peakRssUnderLoad: number | undefined): Goal[] {
  const row = (id: ContenderId, c: number) => rows.find((r) => r.contender === id && r.connections === c);
  const full64 = row('lbw-full', 64);
  const nginx64 = row('nginx', 64);
  const goals: Goal[] = [];
  goals.push({
    goal: 'req/s >= 0.5x nginx at 64 connections',
    measured: full64?.vsNginx === undefined ? 'n/a' : `${full64.vsNginx.toFixed(2)}x`,
    pass: full64?.vsNginx === undefined ? undefined : full64.vsNginx >= 0.5,
  });
  const p99Ratio = full64 && nginx64 ? full64.p99Ms / nginx64.p99Ms : undefined;
  goals.push({
    goal: "p99 <= 2x nginx's at 64 connections",
    measured: p99Ratio === undefined ? 'n/a' : `${full64!.p99Ms.toFixed(2)} ms vs ${nginx64!.p99Ms.toFixed(2)} ms (${p99Ratio.toFixed(2)}x)`,
    pass: p99Ratio === undefined ? undefined : p99Ratio <= 2,
  });
  for (const r of rows.filter((x) => x.contender === 'lbw-full')) {
    // CPU per request says the same thing with less noise from the rest of the machine; shown beside it.
    const bare = row('http-proxy', r.connections);
    const cpu = r.cpuUsPerRequest !== undefined && bare?.cpuUsPerRequest !== undefined ? r.cpuUsPerRequest / bare.cpuUsPerRequest : undefined;
    goals.push({
      goal: `feature overhead <= 5% vs bare http-proxy at ${r.connections} connections`,
      measured:
        r.vsHttpProxy === undefined
          ? 'n/a'
          : `${((1 - r.vsHttpProxy) * 100).toFixed(1)}% fewer req/s (${r.vsHttpProxy.toFixed(2)}x)${cpu === undefined ? '' : `; CPU per request ${cpu.toFixed(2)}x bare's`}`,
      pass: r.vsHttpProxy === undefined ? undefined : r.vsHttpProxy >= 0.95,
    });
  }
  for (const r of rows.filter((x) => x.contender === 'lbw-access-log')) {
    // Not a goal: what the access log costs, against lbw-full measured in the same interleaved rounds.
    const full = row('lbw-full', r.connections);
    if (!full || full.rps === 0) continue;
    const cpu = r.cpuUsPerRequest !== undefined && full.cpuUsPerRequest !== undefined ? r.cpuUsPerRequest / full.cpuUsPerRequest : undefined;
    goals.push({
      goal: `access log cost vs lbw-full at ${r.connections} connections (reported, no limit)`,
      measured: `${((1 - r.rps / full.rps) * 100).toFixed(1)}% fewer req/s (${(r.rps / full.rps).toFixed(2)}x)${cpu === undefined ? '' : `; CPU per request ${cpu.toFixed(2)}x`}`,
      pass: undefined,
    });
  }
  goals.push({
    goal: 'peak RSS <= 120 MB under load',
    measured: peakRssUnderLoad === undefined ? 'n/a' : `${peakRssUnderLoad.toFixed(1)} MB`,
    pass: peakRssUnderLoad === undefined ? undefined : peakRssUnderLoad <= 120,
  });
  return goals;
}

export function formatGoals(goals: readonly Goal[]): string {
  return goals.map((g) => `  [${g.pass === undefined ? ' n/a' : g.pass ? 'pass' : 'FAIL'}] ${g.goal}: ${g.measured}`).join('\n');
}

/**
 * The runs measured while the rest of the machine stayed under `maxOther`% of
 * one core: on a shared machine, the cleanest data points, shown beside the medians.
 */
export function formatQuietRuns(ms: readonly Measurement[], maxOther: number): string {
  const quiet = ms.filter((m) => m.otherCpuPercent !== undefined && m.otherCpuPercent <= maxOther);
  if (quiet.length === 0) return `  none: every run shared the machine with more than ${maxOther}% of a core of other work`;
  return quiet
    .map((m) => {
      const us = m.cpuUsPerRequest;
      return `  ${m.contender.padEnd(13)} ${String(m.connections).padStart(4)} conns, round ${m.round}: ${f(m.load.rps).padStart(6)} req/s, p99 ${f(m.load.p99Ms, 2).padStart(7)} ms, CPU ${f(m.cpuPercent).padStart(3)}%${us === undefined ? '' : `, ${f(us, 1)} us/req`}, other ${f(m.otherCpuPercent)}%`;
    })
    .join('\n');
}
