/**
 * `npm run bench:ui`: what the workbench page costs the browser's main
 * thread. Starts `lbw serve` on the demo workspace, opens it in headless
 * Chromium, and measures over a window, first idle, then with `lbw load`
 * sending traffic, and with --full again once the charts' ten-minute history
 * holds two minutes more: the main thread's busy share (CDP
 * Performance.getMetrics), its task time per stats tick, how long after a
 * tick ends the page shows it (first DOM change after the snapshot came),
 * and how long a click would wait (a task posted every 50 ms, its delay).
 *
 * usage: npm run bench:ui -- [--tick 500] [--seconds 20] [--rate 200] [--full]
 */
import { existsSync } from 'node:fs';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { ProcessGroup, sleep } from './lib/procs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Options {
  tickMs: number;
  seconds: number;
  rate: number;
  full: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { tickMs: 500, seconds: 20, rate: 200, full: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} takes a positive number`);
      return v;
    };
    if (a === '--tick') o.tickMs = num();
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--rate') o.rate = num();
    else if (a === '--full') o.full = true;
    else throw new Error(`unknown option ${a}; usage: npm run bench:ui -- [--tick 500] [--seconds 20] [--rate 200] [--full]`);
  }
  return o;
}

/** Runs in the page before its own scripts: records paint lag per stats snapshot and the delay of a task posted every 50 ms. */
function instrumentPage(): void {
  const w = window as unknown as { __lags: number[]; __delays: number[] };
  const lags: number[] = (w.__lags = []);
  const delays: number[] = (w.__delays = []);
  let waiting: number[] = [];
  new MutationObserver(() => {
    if (waiting.length === 0) return;
    const now = Date.now();
    for (const at of waiting) lags.push(now - at);
    waiting = [];
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  const Base = window.WebSocket;
  window.WebSocket = class extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string' || !e.data.includes('"channel":"stats"')) return;
        // The snapshot's `at` is the end of its tick on the server's clock, which is this machine's.
        waiting.push((JSON.parse(e.data) as { push: { snapshot: { at: number } } }).push.snapshot.at);
      });
    }
  };
  setInterval(() => {
    const t0 = performance.now();
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      delays.push(performance.now() - t0);
      ch.port1.close();
    };
    ch.port2.postMessage(0);
  }, 50);
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

const pct = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]! : NaN);

async function measure(page: Page, cdp: CDPSession, o: Options, label: string): Promise<string> {
  await page.evaluate(() => {
    const w = window as unknown as { __lags: number[]; __delays: number[] };
    w.__lags.length = 0;
    w.__delays.length = 0;
  });
  const a = await metrics(cdp);
  const t0 = Date.now();
  await sleep(o.seconds * 1000);
  const b = await metrics(cdp);
  const wall = (Date.now() - t0) / 1000;
  const { lags, delays } = await page.evaluate(() => {
    const w = window as unknown as { __lags: number[]; __delays: number[] };
    return { lags: [...w.__lags], delays: [...w.__delays] };
  });
  const task = b.TaskDuration! - a.TaskDuration!;
  const ticks = (wall * 1000) / o.tickMs;
  const cells = [
    label.padEnd(22),
    `${((100 * task) / wall).toFixed(1)}%`.padStart(6),
    `${((1000 * task) / ticks).toFixed(0)}`.padStart(9),
    `${((1000 * (b.ScriptDuration! - a.ScriptDuration!)) / ticks).toFixed(0)}`.padStart(11),
    `${pct(lags, 0.5).toFixed(0)} / ${pct(lags, 0.99).toFixed(0)}`.padStart(14),
    `${pct(delays, 0.95).toFixed(0)} / ${Math.max(...delays).toFixed(0)}`.padStart(16),
    String(lags.length).padStart(6),
  ];
  return cells.join('  ');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`bench:ui: ${CHROMIUM} is missing (apt-get install chromium); nothing measured\n`);
    return;
  }
  const group = new ProcessGroup();
  process.once('SIGINT', () => void group.stopAll().finally(() => process.exit(130)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const serve = group.start('lbw serve', process.execPath, ['bin/lbw.js', 'serve', '--port', '0', '--tick', String(o.tickMs)]);
    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i++) {
      url = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(serve.tail())?.[1];
      if (!url) await sleep(100);
    }
    if (!url) throw new Error(`lbw serve printed no URL:\n${serve.tail()}`);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(instrumentPage);
    await page.goto(url, { waitUntil: 'load' });
    const address = ((await page.locator('.service-header strong').first().textContent({ timeout: 60_000 })) ?? '').trim();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    process.stdout.write(`LB Workbench page in headless Chromium, stats tick ${o.tickMs} ms, ${o.seconds} s windows; demo service ${address}\n\n`);
    process.stdout.write(['window'.padEnd(22), 'busy'.padStart(6), 'ms/tick'.padStart(9), 'script ms'.padStart(11), 'paint lag ms'.padStart(14), 'input delay ms'.padStart(16), 'ticks'.padStart(6)].join('  ') + '\n');
    process.stdout.write(`${''.padEnd(22)}  ${''.padStart(6)}  ${''.padStart(9)}  ${'per tick'.padStart(11)}  ${'p50 / p99'.padStart(14)}  ${'p95 / max'.padStart(16)}\n`);
    await sleep(5000);
    process.stdout.write(`${await measure(page, cdp, o, 'idle')}\n`);

    const loadSeconds = o.full ? Math.ceil((240 * o.tickMs) / 1000) + 3 * o.seconds : 3 * o.seconds + 30;
    group.start('lbw load', process.execPath, ['bin/lbw.js', 'load', `http://${address}`, '--rate', String(o.rate), '--duration', String(loadSeconds)]);
    await sleep(5000);
    process.stdout.write(`${await measure(page, cdp, o, `${o.rate} req/s`)}\n`);
    if (o.full) {
      // Until the 240-row history is full, the charts draw more points every tick.
      await sleep(Math.max(0, 240 * o.tickMs - (2 * o.seconds + 10) * 1000));
      process.stdout.write(`${await measure(page, cdp, o, `${o.rate} req/s, full window`)}\n`);
    }
    process.stdout.write(
      '\nbusy: main-thread task time over wall time. paint lag: from the end of a tick to the first DOM change after its snapshot came.\n' +
        'input delay: how long a task posted every 50 ms waited to run (what a click would wait).\n',
    );
  } finally {
    await browser.close();
    await group.stopAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
