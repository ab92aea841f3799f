/**
 * `npm run bench`: LB Workbench against its engine and against nginx and
 * HAProxy, side by side in one run, over the same three loopback backends.
 * Contenders are measured interleaved, round by round (A B C A B C ...), so
 * drift on the machine hits all of them alike; the table shows medians. Then
 * a 100 MB upload through lbw (its RSS), the stats-tick cost, and a CPU
 * profile of lbw under load. Progress goes to stderr, the report to stdout
 * and to bench/results/*.json. Run `npm run bench -- --help` for options.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseBenchArgs, USAGE, type BenchOptions } from './lib/args';
import { installed, startBackends, startContender, type Contender, type ContenderId, type Rig } from './lib/contenders';
import { detectLoadTool, hasTaskset, runLoad, type LoadTool } from './lib/load';
import { cpuSeconds, machineBusySeconds, peakRssMb, resetPeakRss, selfAndReapedChildrenSeconds, tree } from './lib/proc-stats';
import { profileLbw, type ProfileRun } from './lib/profile';
import { ProcessGroup, ROOT, sleep } from './lib/procs';
import { buildRows, checkGoals, formatGoals, formatQuietRuns, formatTable, type Measurement, type Row } from './lib/report';
import { measureUpload, type UploadResult } from './lib/upload';
import { measureStatsTick } from './stats-tick';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
/** Set on Ctrl-C / SIGTERM: what fails after it is the teardown's doing, not worth a stack trace. */
let interrupted = false;

/**
 * A detached worktree of `ref` in the run's scratch directory, sharing this
 * checkout's node_modules (removed with the directory; the worktree entry is
 * pruned at the end of the run).
 */
function checkoutBaseline(ref: string, dir: string): { ref: string; dir: string; commit: string } {
  const target = join(dir, 'baseline');
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const added = git(['worktree', 'add', '--detach', target, ref]);
  if (added.status !== 0) throw new Error(`--baseline ${ref}: git worktree add failed: ${added.stderr.trim()}`);
  symlinkSync(join(ROOT, 'node_modules'), join(target, 'node_modules'), 'dir');
  const commit = git(['-C', target, 'rev-parse', '--short', 'HEAD']).stdout.trim();
  return { ref, dir: target, commit };
}

async function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const o = parsed;
  const startedAt = new Date();
  const group = new ProcessGroup();
  const dir = mkdtempSync(join(os.tmpdir(), 'lbw-bench-'));
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= group.stopAll().then(() => {
      rmSync(dir, { recursive: true, force: true });
      if (o.baseline !== undefined) spawnSync('git', ['worktree', 'prune'], { cwd: ROOT });
    }));
  const onSignal = (signal: string) => {
    interrupted = true;
    log(`${signal}: stopping every process this run started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('exit', () => group.killNow());

  try {
    await bench(o, group, dir, startedAt);
  } finally {
    await cleanup();
  }
}

async function bench(o: BenchOptions, group: ProcessGroup, dir: string, startedAt: Date): Promise<void> {
  const notes: string[] = [];
  const cpus = os.cpus().length;
  const tool: LoadTool = o.load === 'auto' ? detectLoadTool() : o.load;
  if (o.load === 'wrk' && detectLoadTool() !== 'wrk') throw new Error('--load wrk: wrk is not installed');
  if (tool === 'node') notes.push('load comes from bench/load-client.ts (wrk is not installed, or --load node), which is slower than wrk and may cap the fastest contenders');
  const pin = o.pin === 'auto' ? hasTaskset() && cpus >= 2 : o.pin;
  const rig: Rig = {
    group,
    dir,
    bodyBytes: o.bodyBytes,
    proxyCpus: pin ? String(cpus - 1) : undefined,
    rigCpus: pin ? (cpus === 2 ? '0' : `0-${cpus - 2}`) : undefined,
    allCpus: pin ? `0-${cpus - 1}` : undefined,
  };
  if (pin) notes.push(`pinned: proxies on CPU ${rig.proxyCpus}, backends and load generator on CPU ${rig.rigCpus}, 2-worker prototype on CPUs ${rig.allCpus}`);
  if (o.baseline !== undefined) {
    const baseline = checkoutBaseline(o.baseline, dir);
    rig.baseline = baseline;
    notes.push(`lbw-baseline: lbw at ${o.baseline} (${baseline.commit}), every feature on, measured in the same rounds`);
  }

  const hasNginx = installed('nginx');
  const hasHaproxy = installed('haproxy');
  const backendKind = o.backends === 'auto' ? (hasNginx ? 'nginx' : 'node') : o.backends;
  if (backendKind === 'nginx' && !hasNginx) throw new Error('--backends nginx: nginx is not installed');
  const wanted = o.contenders.filter((c) => {
    if (c === 'nginx' && !hasNginx) return skip(notes, 'nginx is not installed: no nginx contender (ratios to nginx show "-")');
    if (c === 'haproxy' && !hasHaproxy) return skip(notes, 'haproxy is not installed: no HAProxy contender');
    return true;
  });

  log(`stats tick: ${o.statsBackends} backends`);
  const statsTick = measureStatsTick(o.statsBackends);

  log(`starting ${backendKind} backends`);
  const backends = await startBackends(rig, backendKind);
  const contenders: Contender[] = [];
  for (const id of wanted) {
    log(`starting ${id}`);
    contenders.push(await startContender(rig, id, backends.urls));
  }

  // Everything this run keeps running: what the bench itself costs, as opposed to other work on the machine.
  const benchPids = () => [...tree(backends.proc.pid), ...contenders.flatMap((c) => c.pids())];
  const quiet = new QuietGate(o.quietPercent, o.quietBudget, benchPids);
  const measurements: Measurement[] = [];
  const experiments = contenders.filter((c) => c.experiment).length;
  const runs = (o.connections.length * contenders.length - (o.connections.length - 1) * experiments) * (o.rounds * o.duration + o.warmup);
  log(`load: ${tool}, ${o.connections.join(' and ')} connections, ${o.rounds} rounds of ${o.duration} s, ${o.warmup} s warm-up (about ${runs < 90 ? `${Math.round(runs)} s` : `${Math.round(runs / 60)} min`} of load)`);
  for (const connections of o.connections) {
    // The prototypes answer a question about the first connection count (64 by default) only; that keeps the run short.
    const here = contenders.filter((c) => !c.experiment || connections === o.connections[0]);
    if (o.warmup > 0) {
      for (const c of here) await runLoad(group, tool, { url: c.url, connections, seconds: o.warmup, threads: o.threads, cpus: rig.rigCpus });
    }
    for (let round = 1; round <= o.rounds; round++) {
      for (const c of here) {
        await quiet.wait();
        const m = await measure(group, tool, rig, c, connections, round, o, benchPids);
        measurements.push(m);
        log(`${connections} conns, round ${round}: ${c.id.padEnd(12)} ${m.load.rps.toFixed(0).padStart(7)} req/s  p99 ${m.load.p99Ms.toFixed(2).padStart(7)} ms  CPU ${(m.cpuPercent ?? 0).toFixed(0).padStart(3)}%  other ${(m.otherCpuPercent ?? 0).toFixed(0).padStart(3)}%${m.load.errors ? `  ${m.load.errors} errors` : ''}`);
      }
    }
  }

  if (quiet.waitedMs > 0) notes.push(`waited ${(quiet.waitedMs / 1000).toFixed(0)} s in all for other processes to quieten down (--quiet-percent ${o.quietPercent})`);
  if (quiet.exhausted) notes.push(`the machine stayed busy: the --quiet-budget of ${o.quietBudget} s ran out and later runs started regardless (see the "other %" column)`);
  // What follows gets the CPU to itself: the proxies are stopped first (the backends stay).
  for (const c of contenders) if (c.proc) await group.stop(c.proc);

  let upload: UploadResult | undefined;
  if (o.uploadMb > 0) {
    // A fresh lbw with every feature on, in front of a Node backend that reads the whole body before it answers.
    log(`uploading ${o.uploadMb} MB through lbw (every feature on)`);
    const sink = await startBackends(rig, 'node', 1);
    const lbw = await startContender(rig, 'lbw-full', sink.urls);
    upload = await measureUpload(lbw.url, lbw.pids, o.uploadMb);
    if (lbw.proc) await group.stop(lbw.proc);
    await group.stop(sink.proc);
  }

  let profile: ProfileRun | undefined;
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  if (o.profileSeconds > 0) {
    log(`profiling lbw (every feature on) for ${o.profileSeconds} s at 64 connections`);
    profile = await profileLbw(rig, backends.urls, tool, { seconds: o.profileSeconds, warmup: 2, connections: 64, threads: o.threads, outDir: resultsDir });
  }

  const labels = new Map(contenders.map((c) => [c.id, c.label] as const));
  const rows = buildRows(measurements, labels, wanted, o.connections);
  // "Under load" is the table's runs; the upload is reported on its own line.
  const lbwPeak = Math.max(0, ...rows.filter((r) => r.contender === 'lbw-full').map((r) => r.peakRssMb ?? 0)) || undefined;
  const goals = checkGoals(rows, lbwPeak);
  const machine = machineInfo(tool, backendKind);
  const report = render({ rows, measurements, goals, upload, statsTick, profile, notes, machine, labels, o });
  process.stdout.write(report);

  const out = o.out ?? join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify({ startedAt, finishedAt: new Date(), machine, options: o, notes, rows, goals, upload, statsTick, profile: profile && { file: profile.file, load: profile.load, summary: profile.summary }, measurements }, null, 2));
  process.stdout.write(`\nJSON: ${out}\n`);
}

/**
 * Waits, before a measured run, while processes outside the bench keep more
 * than `percent` of one core busy (sampled over 500 ms), within a total budget
 * for the whole run, so a neighbour's burst of work does not land in one
 * contender's round.
 */
class QuietGate {
  waitedMs = 0;
  exhausted = false;
  constructor(
    private readonly percent: number,
    private readonly budgetS: number,
    private readonly benchPids: () => number[],
  ) {}

  async wait(): Promise<void> {
    while (!this.exhausted && this.budgetS > 0) {
      const t0 = Date.now();
      const other = await otherCpuPercent(this.benchPids, 500);
      if (other === undefined || other <= this.percent) return;
      await sleep(500);
      this.waitedMs += Date.now() - t0;
      if (this.waitedMs >= this.budgetS * 1000) this.exhausted = true;
    }
  }
}

/** The machine's busy CPU time and the bench's own share of it, in seconds. */
function machineSample(benchPids: number[]): { busy: number | undefined; bench: number } {
  return { busy: machineBusySeconds(), bench: (cpuSeconds(benchPids) ?? 0) + selfAndReapedChildrenSeconds() };
}

/** CPU used by processes outside the bench between two samples, % of one core. */
function otherPercent(a: ReturnType<typeof machineSample>, b: ReturnType<typeof machineSample>, seconds: number): number | undefined {
  if (a.busy === undefined || b.busy === undefined || seconds <= 0) return undefined;
  return Math.max(0, ((b.busy - a.busy - (b.bench - a.bench)) / seconds) * 100);
}

/** CPU used by processes outside the bench over the next `ms`, % of one core. */
async function otherCpuPercent(benchPids: () => number[], ms: number): Promise<number | undefined> {
  const pids = benchPids();
  const a = machineSample(pids);
  await sleep(ms);
  return otherPercent(a, machineSample(pids), ms / 1000);
}

function skip(notes: string[], note: string): false {
  notes.push(note);
  return false;
}

async function measure(
  group: ProcessGroup,
  tool: LoadTool,
  rig: Rig,
  c: Contender,
  connections: number,
  round: number,
  o: BenchOptions,
  benchPids: () => number[],
): Promise<Measurement> {
  const pids = c.pids();
  const hwm = pids.length > 0 && resetPeakRss(pids);
  const all = benchPids();
  const cpu0 = cpuSeconds(pids);
  const machine0 = machineSample(all);
  const t0 = process.hrtime.bigint();
  const load = await runLoad(group, tool, { url: c.url, connections, seconds: o.duration, threads: o.threads, cpus: rig.rigCpus });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(c.pids());
  const used = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  const m: Measurement = {
    contender: c.id,
    connections,
    round,
    load,
    // The wall time includes the load generator's start and stop, where the proxy idles: a slight underestimate.
    cpuPercent: used === undefined ? undefined : (used / wall) * 100,
    cpuUsPerRequest: used === undefined || load.requests === 0 ? undefined : (used * 1e6) / load.requests,
    peakRssMb: hwm ? peakRssMb(c.pids()) : undefined,
    otherCpuPercent: otherPercent(machine0, machineSample(all), wall),
  };
  await sleep(200);
  return m;
}

interface RenderInput {
  rows: Row[];
  measurements: Measurement[];
  goals: ReturnType<typeof checkGoals>;
  upload: UploadResult | undefined;
  statsTick: ReturnType<typeof measureStatsTick>;
  profile: ProfileRun | undefined;
  notes: string[];
  machine: Record<string, string | number>;
  labels: Map<ContenderId, string>;
  o: BenchOptions;
}

function render(r: RenderInput): string {
  const out: string[] = [];
  out.push('', `LB Workbench bench, ${new Date().toISOString().slice(0, 10)}: ${r.machine.cpuModel} x${r.machine.cpus}, ${r.machine.node}, load ${r.machine.load}, backends ${r.machine.backends}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push('', 'Contenders:');
  for (const [id, label] of r.labels) out.push(`  ${id.padEnd(13)} ${label}`);
  out.push(
    '',
    `Medians of ${r.o.rounds} interleaved rounds of ${r.o.duration} s. CPU: the proxy's, % of one core, and its CPU time per request.`,
    'Other: CPU used by processes outside the bench during the run, % of one core (above ~10% the row was measured on a busy machine).',
    '',
  );
  out.push(formatTable(r.rows));
  out.push('', `Runs measured while other processes used at most ${r.o.quietPercent}% of a core (the cleanest points on a shared machine):`);
  out.push(formatQuietRuns(r.measurements, r.o.quietPercent));
  out.push('', 'Goals (LB Workbench, every feature on):', formatGoals(r.goals));
  const u = r.upload;
  if (u) {
    out.push(
      '',
      `Upload through lbw (every feature on): ${u.mb} MB in ${u.seconds.toFixed(2)} s (${u.mbPerSecond.toFixed(0)} MB/s), status ${u.status ?? '-'}, ` +
        `RSS ${u.rssBeforeMb?.toFixed(1) ?? '-'} MB before, peak ${u.peakRssMb?.toFixed(1) ?? '-'} MB during${u.error ? `; error: ${u.error}` : ''}`,
    );
  }
  const t = r.statsTick;
  out.push('', `Stats tick (StatsCollector.snapshot, ${t.backends} backends, ${t.iterations} iterations): mean ${t.meanUs.toFixed(0)} us, p50 ${t.p50Us.toFixed(0)} us, p99 ${t.p99Us.toFixed(0)} us; ${(t.shareOfTick * 100).toFixed(3)}% of a 500 ms tick`);
  if (r.profile) {
    out.push('', `Profile of lbw (every feature on) at 64 connections: ${r.profile.load.rps.toFixed(0)} req/s under --cpu-prof; ${r.profile.file}`, '', r.profile.text);
  }
  out.push('', gap(r.rows));
  const versus = againstBaseline(r.rows);
  if (versus) out.push('', versus);
  return `${out.join('\n')}\n`;
}

/** With --baseline: this lbw's req/s against the earlier one's, each as a ratio to bare http-proxy measured in the same rounds. */
function againstBaseline(rows: Row[]): string | undefined {
  const lines: string[] = [];
  for (const c of [...new Set(rows.map((x) => x.connections))]) {
    const at = (id: ContenderId) => rows.find((x) => x.contender === id && x.connections === c);
    const [now, before, engine] = [at('lbw-full'), at('lbw-baseline'), at('http-proxy')];
    if (!now || !before || !engine) continue;
    const a = now.rps / engine.rps;
    const b = before.rps / engine.rps;
    lines.push(`  ${String(c).padStart(3)} connections: lbw-full ${a.toFixed(3)}x http-proxy, baseline ${b.toFixed(3)}x: ${((a / b - 1) * 100).toFixed(1)}%`);
  }
  return lines.length ? ['Against the baseline (req/s as a ratio to bare http-proxy, same run):', ...lines].join('\n') : undefined;
}

/**
 * What closing the gap to 0.5x nginx at 64 connections takes, in the run's own
 * numbers: by req/s, and by CPU time per request, which a busy neighbour
 * disturbs far less (a proxy that is starved of CPU serves fewer requests,
 * but each one costs about the same).
 */
function gap(rows: Row[]): string {
  const at = (id: ContenderId) => rows.find((x) => x.contender === id && x.connections === 64);
  const full = at('lbw-full');
  const nginx = at('nginx');
  const lines = ['Gap at 64 connections:'];
  if (!full || !nginx) return `${lines[0]} n/a (needs lbw-full and nginx at 64 connections)`;
  const target = nginx.rps * 0.5;
  lines.push(`  by req/s: 0.5x nginx = ${target.toFixed(0)} req/s; lbw-full ${full.rps.toFixed(0)} req/s, so ${(target / full.rps).toFixed(2)}x more is needed`);
  const fullUs = full.cpuUsPerRequest;
  const nginxUs = nginx.cpuUsPerRequest;
  if (fullUs !== undefined && nginxUs !== undefined) {
    const factor = fullUs / (2 * nginxUs);
    lines.push(
      `  by CPU per request: nginx ${nginxUs.toFixed(1)} us, lbw-full ${fullUs.toFixed(1)} us (${(fullUs / nginxUs).toFixed(1)}x). Half nginx's req/s from the same CPU allows ${(2 * nginxUs).toFixed(1)} us:`,
      `  lbw-full must get ${factor.toFixed(1)}x cheaper per request, or run on ${Math.ceil(factor)} cores for nginx's one`,
    );
  }
  for (const id of ['http-proxy', 'node-forward', 'lbw-full-x2'] as const) {
    const row = at(id);
    const us = row?.cpuUsPerRequest;
    if (row) lines.push(`  ${id.padEnd(13)} ${row.rps.toFixed(0).padStart(7)} req/s = ${(row.rps / nginx.rps).toFixed(2)}x nginx, ${(row.rps / full.rps).toFixed(2)}x lbw-full${us === undefined ? '' : `; ${us.toFixed(1)} us CPU/req`}`);
  }
  return lines.join('\n');
}

function machineInfo(tool: LoadTool, backends: string): Record<string, string | number> {
  const version = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.error ? 'not installed' : `${r.stdout}${r.stderr}`.split('\n')[0]!.trim();
  };
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    load: tool === 'wrk' ? version('wrk', ['--version']) : 'bench/load-client.ts',
    backends,
    nginx: version('nginx', ['-v']),
    haproxy: version('haproxy', ['-v']),
  };
}

main().catch((err: unknown) => {
  if (interrupted) return;
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
