/**
 * `npm run soak`: does `lbw serve` keep its memory over a demo session?
 * Starts `lbw serve` on the demo workspace, opens its page in headless
 * Chromium and drives the UI as a person would: the Load tab's generator at
 * --rate req/s, and every --drill-every minutes the sample drill ("Kill one
 * backend under load", added with "Add sample drill" if missing) from the
 * Drills tab; the load is stopped for the drill (both use the one load
 * generator) and started again after it. Meanwhile it samples the lbw
 * process's RSS (/proc/<pid>/status, worker threads included) every
 * --sample seconds, prints the samples and a least-squares trend over the
 * last --window minutes, and exits 1 when a sample exceeds --max-rss MB or
 * the trend grows more than --max-growth % over the window (2 when it could
 * not run). Never part of `npm test`.
 *
 * Every process it starts (lbw, Chromium and Chromium's helpers) is ended
 * by pid on success, on failure and on Ctrl-C.
 *
 * usage: npm run soak -- [--minutes 10] [--rate 300] [--drill-every 2] [--sample 10]
 *                        [--window 5] [--max-rss 200] [--max-growth 5]
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { descendants } from './lib/proc-stats';
import { ProcessGroup, ROOT, sleep, type Managed } from './lib/procs';
import { clock, trailingTrend, verdict, type Sample } from './lib/trend';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const USAGE = 'usage: npm run soak -- [--minutes 10] [--rate 300] [--drill-every 2] [--sample 10] [--window 5] [--max-rss 200] [--max-growth 5]';
/** The load form takes at most ten minutes per run; a longer stretch is run as several. */
const MAX_RUN_S = 600;
/** A stretch of load shorter than this before a drill or the end is skipped. */
const MIN_RUN_S = 5;

interface Options {
  minutes: number;
  rate: number;
  /** Minutes between drills; 0 for none. */
  drillEvery: number;
  sampleS: number;
  windowMin: number;
  maxRssMb: number;
  maxGrowthPercent: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { minutes: 10, rate: 300, drillEvery: 2, sampleS: 10, windowMin: 5, maxRssMb: 200, maxGrowthPercent: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (min: number) => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min) throw new Error(`${a} takes a number >= ${min}\n${USAGE}`);
      return v;
    };
    if (a === '--minutes') o.minutes = num(0.5);
    else if (a === '--rate') o.rate = num(1);
    else if (a === '--drill-every') o.drillEvery = num(0);
    else if (a === '--sample') o.sampleS = num(1);
    else if (a === '--window') o.windowMin = num(0.5);
    else if (a === '--max-rss') o.maxRssMb = num(1);
    else if (a === '--max-growth') o.maxGrowthPercent = num(0);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (o.drillEvery > 0 && o.drillEvery * 60 < 40) throw new Error('--drill-every must leave room for the 25 s drill: at least 0.67 minutes');
  return o;
}

/** VmRSS or VmHWM of one process, MB; undefined once it is gone. */
function statusMb(pid: number, key: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The numbers in a figure as the UI prints it ("1 234.5" with thin spaces). */
function numberIn(text: string | null): number {
  return Number((text ?? '').replace(/[^\d.]/g, ''));
}

/** Polls `check` every 500 ms until it holds; throws naming `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(500);
  }
}

/** The page, driven through its UI. */
class Ui {
  constructor(private readonly page: Page) {}

  private loadRunning(): Promise<boolean> {
    return this.page.getByTestId('load-stop').isEnabled();
  }

  /** Starts the Load tab's open loop at `rate` for `seconds`; resolves once it runs. */
  async startLoad(rate: number, seconds: number): Promise<void> {
    await this.page.getByTestId('tab-load').click();
    await this.page.locator('#load-rate').fill(String(rate));
    await this.page.locator('#load-duration').fill(String(seconds));
    await this.page.getByTestId('load-start').click();
    await until('the load run to start', () => this.loadRunning(), 30_000);
  }

  /** Waits for the run to end by itself, or stops it at `deadline` (ms clock); returns the rate its summary reports. */
  async finishLoad(deadline: number): Promise<{ rate: number; sent: number; seconds: number }> {
    while (await this.loadRunning()) {
      if (Date.now() >= deadline) {
        await this.page.getByTestId('load-stop').click();
        await until('the load run to stop', async () => !(await this.loadRunning()), 15_000);
        break;
      }
      await sleep(500);
    }
    const summary = this.page.getByTestId('load-summary');
    await summary.waitFor({ timeout: 15_000 });
    const figure = async (term: string) => numberIn(await summary.locator(`dt:text-is("${term}") + dd`).textContent());
    return { rate: await figure('Rate'), sent: await figure('Sent'), seconds: await figure('Duration') };
  }

  /** Runs the sample drill from the Drills tab (adding it first if needed); resolves with its verdict line. */
  async runDrill(): Promise<string> {
    await this.page.getByTestId('tab-drills').click();
    const run = this.page.locator('[data-testid^="drill-run-"]').first();
    if ((await run.count()) === 0) {
      await this.page.getByTestId('add-sample-drill').click();
      await run.waitFor({ timeout: 15_000 });
    }
    await until('the Run button to be enabled', () => run.isEnabled(), 15_000);
    // The last drill's report stays on show until this one's replaces it.
    const report = this.page.getByTestId('drill-report');
    const before = (await report.count()) > 0 ? await report.textContent() : null;
    await run.click();
    const stop = this.page.getByTestId('drill-stop');
    await stop.waitFor({ timeout: 30_000 });
    await stop.waitFor({ state: 'detached', timeout: 120_000 });
    await until('the new drill report', async () => (await report.count()) > 0 && (await report.textContent()) !== before, 15_000);
    const v = this.page.getByTestId('drill-verdict').locator('strong');
    await v.waitFor({ timeout: 15_000 });
    return ((await v.textContent()) ?? '').trim();
  }
}

interface Activity {
  loads: Array<{ rate: number; sent: number; seconds: number }>;
  drills: string[];
  now: string;
}

/** The session: load stretches between drills until `minutes` are over. */
async function drive(ui: Ui, o: Options, startedAt: number, activity: Activity): Promise<void> {
  const end = startedAt + o.minutes * 60_000;
  const drillAt: number[] = [];
  if (o.drillEvery > 0) for (let t = o.drillEvery * 60_000; t < o.minutes * 60_000 - 1000; t += o.drillEvery * 60_000) drillAt.push(startedAt + t);
  for (;;) {
    const next = drillAt[0] ?? end;
    const seconds = Math.min(MAX_RUN_S, Math.floor((next - Date.now()) / 1000));
    if (seconds >= MIN_RUN_S) {
      activity.now = `load ${o.rate}/s`;
      await ui.startLoad(o.rate, seconds);
      activity.loads.push(await ui.finishLoad(next));
    } else if (Date.now() < next) {
      activity.now = 'idle';
      await sleep(next - Date.now());
    }
    if (Date.now() >= end) return;
    if (drillAt[0] !== undefined && Date.now() >= drillAt[0]) {
      drillAt.shift();
      activity.now = 'drill';
      activity.drills.push(await ui.runDrill());
    }
  }
}

/** Chromium through a launched server, so its pid is known and it can be ended by pid. */
async function startBrowser(): Promise<{ server: BrowserServer; browser: Browser; pid: number }> {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = server.process().pid;
  if (pid === undefined) throw new Error('Chromium did not start');
  return { server, browser: await chromium.connect(server.wsEndpoint()), pid };
}

/** When a process started (field 22 of /proc/<pid>/stat), so a pid reused by then is never signalled. */
function startTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Chromium's process and its helpers, each with its start time. */
function browserTree(pid: number): Array<[number, string | undefined]> {
  return [pid, ...descendants(pid)].map((p) => [p, startTime(p)]);
}

/** SIGKILLs the processes of `tree` still running (the same process: same pid and start time). */
function killTree(tree: Array<[number, string | undefined]>): void {
  for (const [pid, started] of tree) {
    if (started === undefined || startTime(pid) !== started) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Ends Chromium: politely, then what is left of its process tree by pid. */
async function stopBrowser(b: { server: BrowserServer; browser: Browser; pid: number } | undefined): Promise<void> {
  if (!b) return;
  const tree = browserTree(b.pid);
  const polite = (async () => {
    await b.browser.close().catch(() => {});
    await b.server.close().catch(() => {});
  })();
  await Promise.race([polite, sleep(5000)]);
  killTree(tree);
}

function report(o: Options, samples: Sample[], fresh: number, peakHwm: number | undefined, activity: Activity): string[] {
  const windowS = Math.min(o.windowMin * 60, (o.minutes * 60) / 2);
  const trend = trailingTrend(samples, windowS);
  const lines: string[] = [];
  const peak = samples.reduce((a, s) => Math.max(a, s.rssMb), 0);
  lines.push('');
  lines.push(`fresh ${fresh.toFixed(1)} MB; peak sample ${peak.toFixed(1)} MB${peakHwm !== undefined ? ` (VmHWM ${peakHwm.toFixed(1)} MB)` : ''}`);
  if (trend) {
    lines.push(
      `last ${clock(windowS)} (${trend.n} samples): fitted ${trend.startMb.toFixed(1)} -> ${trend.endMb.toFixed(1)} MB, ` +
        `${trend.mbPerMin >= 0 ? '+' : ''}${trend.mbPerMin.toFixed(2)} MB/min, ${trend.growthPercent >= 0 ? '+' : ''}${trend.growthPercent.toFixed(1)} %`,
    );
  }
  const loads = activity.loads.filter((l) => l.seconds > 0);
  const sent = loads.reduce((a, l) => a + l.sent, 0);
  const seconds = loads.reduce((a, l) => a + l.seconds, 0);
  lines.push(
    `load: ${loads.length} run(s) from the Load tab, ${sent} requests in ${seconds.toFixed(0)} s, ${seconds > 0 ? (sent / seconds).toFixed(0) : 0} req/s reached (asked ${o.rate})`,
  );
  const verdicts = [...new Set(activity.drills)].map((v) => `${activity.drills.filter((x) => x === v).length}× ${v}`);
  lines.push(`drills: ${activity.drills.length}${verdicts.length ? ` (${verdicts.join('; ')})` : ''}`);
  const problems = verdict(samples, trend, { maxRssMb: o.maxRssMb, maxGrowthPercent: o.maxGrowthPercent });
  lines.push(problems.length === 0 ? `PASS: every sample under ${o.maxRssMb} MB, growth under ${o.maxGrowthPercent} % over the last ${clock(windowS)}` : `FAIL: ${problems.join('; ')}`);
  return lines;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`soak: ${CHROMIUM} is missing (apt-get install chromium)\n`);
    return 2;
  }
  const group = new ProcessGroup();
  let browser: Awaited<ReturnType<typeof startBrowser>> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      clearInterval(sampler);
      await stopBrowser(browser);
      await group.stopAll();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nsoak: ${sig}, stopping what it started\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => {
    // Last resort on an exit that skipped the cleanup: nothing it started outlives it.
    if (browser) killTree(browserTree(browser.pid));
    group.killNow();
  });

  try {
    const resultsDir = join(ROOT, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const logFile = join(resultsDir, `soak-lbw-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    const lbw: Managed = group.start('lbw serve', process.execPath, ['bin/lbw.js', 'serve', '--port', '0'], { logFile });
    let url: string | undefined;
    for (let i = 0; i < 1200 && !url; i++) {
      // Whatever carries the token (query or fragment), the page is opened as printed.
      url = /(http:\/\/127\.0\.0\.1:\d+\/\S*)\s/.exec(lbw.tail())?.[1];
      if (!url) await sleep(100);
    }
    if (!url) throw new Error(`lbw serve printed no URL:\n${lbw.tail()}`);

    browser = await startBrowser();
    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('.service-header strong').first().waitFor({ timeout: 60_000 });
    await sleep(3000);

    const rss = () => statusMb(lbw.pid, 'VmRSS');
    const fresh = rss();
    if (fresh === undefined) throw new Error(`lbw serve (pid ${lbw.pid}) is gone: ${lbw.tail()}`);
    process.stdout.write(
      `soak: lbw serve (pid ${lbw.pid}) on the demo workspace with its page in headless Chromium, ${o.minutes} min: ` +
        `load ${o.rate} req/s from the Load tab${o.drillEvery > 0 ? `, the sample drill every ${o.drillEvery} min` : ''}; RSS every ${o.sampleS} s\n\n`,
    );
    process.stdout.write('    t   RSS MB  doing\n');
    const samples: Sample[] = [];
    const activity: Activity = { loads: [], drills: [], now: 'idle' };
    const startedAt = Date.now();
    const take = () => {
      const mb = rss();
      if (mb === undefined) return;
      const t = (Date.now() - startedAt) / 1000;
      samples.push({ t, rssMb: mb });
      process.stdout.write(`${clock(t).padStart(5)}  ${mb.toFixed(1).padStart(7)}  ${activity.now}\n`);
    };
    take();
    sampler = setInterval(take, o.sampleS * 1000);
    let exited: string | undefined;
    void lbw.exited.then((code) => (exited = code));
    await Promise.race([
      drive(new Ui(page), o, startedAt, activity),
      lbw.exited.then((code) => {
        throw new Error(`lbw serve exited (${code}) during the soak: ${lbw.tail()}`);
      }),
    ]);
    activity.now = 'done';
    take();
    clearInterval(sampler);
    const hwm = statusMb(lbw.pid, 'VmHWM');
    if (exited !== undefined) throw new Error(`lbw serve exited (${exited})`);
    const lines = report(o, samples, fresh, hwm, activity);
    process.stdout.write(`${lines.join('\n')}\nlbw's own output: ${logFile}\n`);
    return lines.at(-1)!.startsWith('PASS') ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
