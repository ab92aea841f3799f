/**
 * A TCP service in front of two echo backends: its table shows connection
 * columns (and none of the HTTP ones); 20 connections opened through the
 * balancer and held open show as 20 open connections in total, with
 * connects per second above 0 while they open; once they are closed the
 * open count goes back to 0.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backendsTable,
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  openTcpClients,
  readBackends,
  screenshot,
  serviceAddress,
  Stack,
  startTcpEchoBackend,
  startWorkbench,
  trace,
  UI_LAG_WAIT_MS,
  until,
  type BackendRowView,
} from './harness';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());

const CONNECTIONS = 20;

/** A column's number in a row ("12" → 12); NaN while it shows "–". */
function column(row: BackendRowView | undefined, header: string): number {
  const m = /-?\d+(\.\d+)?/.exec(row?.cells[header] ?? '');
  return m ? Number(m[0]) : NaN;
}

const total = (rows: Record<string, BackendRowView>, header: string) => Object.values(rows).reduce((sum, r) => sum + (column(r, header) || 0), 0);

describe('a TCP service', () => {
  it('shows connection columns and counts connections held open through it, back to 0 once closed', async () => {
    const one = await startTcpEchoBackend(stack);
    const two = await startTcpEchoBackend(stack);
    const { page, pageErrors } = await startWorkbench(stack, {
      services: [
        {
          name: 'db',
          protocol: 'tcp',
          listen: '127.0.0.1:0',
          strategy: 'round-robin',
          backends: [
            { url: one.url, name: 'one' },
            { url: two.url, name: 'two' },
          ],
        },
      ],
    });
    const { port } = await serviceAddress(page, 'db');

    // Connection columns in place of the HTTP ones.
    const headers = (await backendsTable(page, 'db').locator('thead th').allTextContents()).map((h) => h.trim());
    expect(headers).toEqual(expect.arrayContaining(['Open conns', 'Conn/s', 'In / out per s', 'Connect p50 / p99 ms', 'Connect errors / resets']));
    for (const http of ['In-flight', 'Req/s', 'p50 / p99 ms', 'Errors']) expect(headers).not.toContain(http);
    expect(await page.getByTestId('tcp-open').count()).toBe(2);

    // Open the connections a little apart, so they spread over several ticks, and
    // watch the Conn/s column meanwhile (it counts the connects of the last tick).
    let maxConnPerSecond = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          maxConnPerSecond = Math.max(maxConnPerSecond, total(await readBackends(page, 'db'), 'Conn/s'));
        } catch {
          return; // the page went away (the test failed and is cleaning up)
        }
        await new Promise((r) => setTimeout(r, 100)); // pacing only
      }
    })();
    stack.defer('stop watching Conn/s', async () => {
      watching = false;
      await watcher;
    });
    const { clients, closeAll } = await openTcpClients(stack, port, CONNECTIONS, 150);
    // Each is a working connection through the balancer to an echo backend.
    const echoes = await Promise.all(clients.map((c, i) => c.echo(`hello ${i}\n`)));
    expect(echoes).toEqual(clients.map((_, i) => `hello ${i}\n`));
    expect(one.connections + two.connections).toBe(CONNECTIONS);
    expect(one.connections).toBe(CONNECTIONS / 2);

    const open = await until(
      () => readBackends(page, 'db'),
      (rows) => total(rows, 'Open conns') === CONNECTIONS,
      `the Open conns column adds up to ${CONNECTIONS}`,
      UI_LAG_WAIT_MS,
    );
    trace(`open: one ${column(open.one, 'Open conns')}, two ${column(open.two, 'Open conns')}`);
    expect([column(open.one, 'Open conns'), column(open.two, 'Open conns')]).toEqual([CONNECTIONS / 2, CONNECTIONS / 2]);
    await until(async () => maxConnPerSecond, (n) => n > 0, 'Conn/s above 0 while the connections open', UI_LAG_WAIT_MS);
    watching = false;
    await watcher;
    // Round robin: the share is read against an even split (components/baseline.ts).
    expect(headers).toContain('Share / even split');
    expect(open.one!.share + open.two!.share).toBeGreaterThanOrEqual(99);
    await screenshot(page, 'tcp-connections-open');

    // Closed, they leave the count.
    await closeAll();
    await until(() => readBackends(page, 'db'), (rows) => total(rows, 'Open conns') === 0, 'the Open conns column goes back to 0', UI_LAG_WAIT_MS);
    expect(pageErrors).toEqual([]);
  });
});
