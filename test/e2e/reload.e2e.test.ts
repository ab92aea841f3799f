/**
 * Hot reload in browser mode: `lbw serve FILE` follows FILE, and the page
 * shows what an edit on disk changed (a weight, a new backend) without a
 * reload of its own; broken JSON is refused with the page's notice while the
 * previous configuration keeps serving; the workbench's own save of FILE is
 * not taken for an edit.
 */
import { rename, writeFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backendRow,
  BUILD_TIMEOUT_MS,
  E2E_TIMEOUT_MS,
  ensureRendererBuilt,
  eventRows,
  eventually,
  invokeCore,
  sequentialRequests,
  serviceAddress,
  Stack,
  startBackend,
  startWorkbench,
} from './harness';
import { waitFor } from '../helpers/wait';

vi.setConfig({ testTimeout: E2E_TIMEOUT_MS, hookTimeout: E2E_TIMEOUT_MS });

const stack = new Stack();
beforeAll(() => ensureRendererBuilt(), BUILD_TIMEOUT_MS);
afterEach(() => stack.unwind());


/** An editor's save: written beside the file, then renamed over it. */
async function save(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

describe('lbw serve FILE follows FILE', () => {
  it('shows an edit on disk in the page, refuses broken JSON with a notice while serving on, and ignores its own save', async () => {
    const alpha = await startBackend(stack, { name: 'alpha' });
    const beta = await startBackend(stack, { name: 'beta' });
    const service = (backends: Array<{ url: string; name: string; weight?: number }>) => ({ services: [{ name: 'web', listen: '127.0.0.1:0', strategy: 'weighted-round-robin', backends }] });
    const { page, serve, workspaceFile, pageErrors } = await startWorkbench(stack, service([{ url: alpha.url, name: 'alpha' }]));
    const file = workspaceFile!;
    const { port } = await serviceAddress(page, 'web');
    const weight = (name: string) => page.getByLabel(`Weight of ${name}`).inputValue();
    expect(await weight('alpha')).toBe('1');
    /** lbw serve's hot reload lines on stderr. */
    const reloadLines = () => serve.output().split('\n').filter((l) => l.startsWith('lbw serve: ') && / reload|valid again/.test(l));

    // An edit on disk: alpha's weight, and a new backend.
    await save(file, JSON.stringify(service([{ url: alpha.url, name: 'alpha', weight: 3 }, { url: beta.url, name: 'beta' }]), null, 2));
    await backendRow(page, 'beta').waitFor();
    await eventually(() => weight('alpha')).toBe('3');
    expect(await weight('beta')).toBe('1');
    // (The log's Type column says it in words; the cause is the core's.)
    await eventually(async () => (await eventRows(page)).some(([, , , , cause]) => cause!.startsWith(`reloaded ${file}: web changed`))).toBe(true);
    expect(reloadLines()).toEqual([`lbw serve: reloaded ${file}: web changed`]);
    // Weighted round robin, 3:1 over eight requests.
    const before = await sequentialRequests(port, 8);
    expect(before.statuses).toEqual({ 200: 8 });
    expect(before.byBackend).toEqual({ alpha: 6, beta: 2 });

    // Broken JSON: the page says why nothing changed, and the service answers as before.
    expect(await page.getByTestId('change-refused').count()).toBe(0);
    await save(file, '{ "services": [ { "name": "web", } ] }\n');
    const notice = page.getByTestId('change-refused');
    await notice.waitFor();
    const reason = (await notice.getByTestId('change-refused-reason').textContent()) ?? '';
    expect(reason).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(.* at line 1, column 3[0-9]\\)$`));
    expect(await notice.textContent()).toContain(`(reload of ${file}, at `);
    await waitFor(() => reloadLines().length === 2, { timeoutMs: 20_000 });
    expect(reloadLines()[1]).toMatch(/^lbw serve: reload of .+ refused: not valid JSON \(.+\); still serving the previous configuration$/);
    const during = await sequentialRequests(port, 8);
    expect(during.byBackend).toEqual({ alpha: 6, beta: 2 });
    expect(await weight('alpha')).toBe('3');

    // The workbench saves FILE itself (over the broken one, its own file): that is the running configuration, not an edit to apply.
    const saved = await invokeCore(serve, 'workspace:save', {});
    expect(saved).toEqual({ ok: true, value: { path: file } });
    await waitFor(() => reloadLines().length === 3, { timeoutMs: 20_000 });
    expect(reloadLines()[2]).toBe(`lbw serve: ${file} is valid again and matches the running configuration`);

    // A later edit is applied as usual; nothing came in between.
    await save(file, JSON.stringify(service([{ url: alpha.url, name: 'alpha', weight: 2 }, { url: beta.url, name: 'beta' }]), null, 2));
    await eventually(() => weight('alpha')).toBe('2');
    await waitFor(() => reloadLines().length === 4, { timeoutMs: 20_000 });
    expect(reloadLines()).toEqual([
      `lbw serve: reloaded ${file}: web changed`,
      expect.stringMatching(/refused: not valid JSON/),
      `lbw serve: ${file} is valid again and matches the running configuration`,
      `lbw serve: reloaded ${file}: web changed`,
    ]);
    const changes = (await eventRows(page)).map(([, , , , cause]) => cause).filter((cause) => cause!.startsWith('reloaded '));
    // Newest first, each with what it changed (the event's changes, after its cause).
    expect(changes).toEqual([`reloaded ${file}: web changed — alpha weight 3 → 2`, `reloaded ${file}: web changed — alpha weight 1 → 3; backend beta added`]);
    expect(pageErrors).toEqual([]);
  });
});
