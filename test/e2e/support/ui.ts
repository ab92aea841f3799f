/** Reading the page: waits with e2e deadlines, the backends table, screenshots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { ROOT } from './process';

export const SCREENSHOT_DIR = join(ROOT, 'test', 'e2e', '__screenshots__');

/** Default for UI waits: generous, since a wait only lasts as long as the condition takes. */
export const UI_WAIT_MS = 20_000;
/**
 * For UI waits that depend on traffic having flowed for a while: the share
 * column averages over the last 20 ticks, and on a loaded machine requests,
 * health checks and the page all share two cores. (The page itself no
 * longer falls behind: it applies what arrived once per frame and paces its
 * chart redraws; see TICK_MS in the harness.)
 */
export const UI_LAG_WAIT_MS = 60_000;

/** `expect.poll` with the e2e deadline (vitest's default of 1 s is too short here). */
export function eventually<T>(read: () => T | Promise<T>, timeoutMs = UI_WAIT_MS) {
  return expect.poll(read, { timeout: timeoutMs, interval: 100 });
}

/**
 * Reads until `ok` holds and returns what satisfied it; on timeout the error
 * shows the last value read, which says more than "expected false to be true".
 */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = UI_WAIT_MS): Promise<T> {
  let last: T | undefined;
  try {
    const hit = await waitFor(
      async () => {
        last = await read();
        return ok(last) ? { value: last } : undefined;
      },
      { timeoutMs, intervalMs: 100, message: what },
    );
    return hit.value;
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`, { cause: err });
  }
}

/** The address a service really listens on, as the sidebar shows it once it is bound. */
export async function serviceAddress(page: Page, service: string): Promise<{ host: string; port: number }> {
  const addr = page.getByTestId(`service-${service}`).locator('.service-addr');
  const text = await waitFor(
    async () => {
      const t = (await addr.textContent())?.trim() ?? '';
      return /^127\.0\.0\.1:\d+$/.test(t) && !t.endsWith(':0') ? t : undefined;
    },
    { timeoutMs: UI_WAIT_MS, intervalMs: 100, message: `the sidebar shows where ${service} listens` },
  );
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
}

/** The backends table of a service. */
export function backendsTable(page: Page, service: string): Locator {
  return page.getByRole('table', { name: `Backends of ${service}` });
}

/** A backend's row in the backends table (its test id is `backend-row-<name>`). */
export function backendRow(page: Page, backend: string): Locator {
  return page.getByTestId(`backend-row-${backend}`);
}

/** What a backend's row in the backends table shows, as text and as numbers. */
export interface BackendRowView {
  /** The health badge's `data-state`: unknown, healthy or unhealthy. */
  health: string | null;
  /** The Req/s column; NaN while it shows "–". */
  rps: number;
  /** The share of requests over the window, in percent ("33% / 50%" → 33). */
  share: number;
  /** The strategy's fixed baseline (even split or by weight), in percent ("33% / 50%" → 50); NaN for strategies without one. */
  expected: number;
  /** Every cell's text by column header, name included. */
  cells: Record<string, string>;
}

/**
 * The backends table of a service, read in one round trip to the page (each
 * round trip waits behind the page's rendering when it lags), by backend name.
 * Columns are found by their headers, so a reordered column is not misread.
 */
export async function readBackends(page: Page, service: string): Promise<Record<string, BackendRowView>> {
  const raw = await page.evaluate((label) => {
    const table = Array.from(document.querySelectorAll('table')).find((t) => t.getAttribute('aria-label') === label);
    if (!table) return {};
    const headers = Array.from(table.querySelectorAll('thead th'), (th) => (th.textContent ?? '').trim());
    const out: Record<string, { health: string | null; cells: Record<string, string> }> = {};
    for (const tr of Array.from(table.querySelectorAll('tbody tr'))) {
      const cells: Record<string, string> = {};
      Array.from(tr.querySelectorAll('th, td')).forEach((cell, i) => (cells[headers[i] || `#${i}`] = (cell.textContent ?? '').trim()));
      // The row's test id carries the name; the first cell also shows the URL under it.
      const name = tr.getAttribute('data-testid')?.replace(/^backend-row-/, '') ?? cells[headers[0]!] ?? '';
      out[name] = { health: tr.querySelector('[data-state]')?.getAttribute('data-state') ?? null, cells };
    }
    return out;
  }, `Backends of ${service}`);
  const num = (text: string | undefined) => {
    const m = /-?\d+(\.\d+)?/.exec(text ?? '');
    return m ? Number(m[0]) : NaN;
  };
  const views: Record<string, BackendRowView> = {};
  for (const [name, row] of Object.entries(raw)) {
    const column = (prefix: string) => Object.entries(row.cells).find(([h]) => h.startsWith(prefix))?.[1];
    const [share, expected] = (column('Share') ?? '').split('/');
    views[name] = { health: row.health, rps: num(column('Req/s')), share: num(share), expected: num(expected), cells: row.cells };
  }
  return views;
}

/**
 * Saves the viewport as `__screenshots__/<name>.png` (never a tracked file:
 * README's pictures come from test/e2e/readme-screenshots.ts).
 * (The app scrolls inside its main area, so a full-page shot would be the same.)
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const buf = await page.screenshot({ animations: 'disabled', timeout: 60_000 });
  writeFileSync(join(SCREENSHOT_DIR, `${name}.png`), buf);
}

/** The event log's rows as their cells' text: time, type, service, backend, what happened. */
export async function eventRows(page: Page): Promise<string[][]> {
  return page
    .getByTestId('event-log')
    .getByTestId('event-row')
    .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
}
