// @vitest-environment jsdom
/**
 * The Export menu: opened and driven by the keyboard, it asks the core for
 * the chosen engine's export, lists the warnings, and then downloads the
 * file(s) in browser mode (an object URL on a link with `download`) or, with
 * a bridge that can save natively (Electron), saves through it. An engine
 * that cannot take the workspace says why.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportResult, Result } from '../../core/contract';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { captureDownloads } from './downloads';
import { renderApp } from './setup';

afterEach(cleanup);

const NGINX: ExportResult = {
  engine: 'nginx',
  targets: 'nginx 1.22',
  files: [{ name: 'nginx.conf', text: '# nginx configuration exported by LB Workbench\n' }],
  warnings: [{ service: 'web', feature: 'peak-EWMA', fidelity: 'nearest', message: 'least_conn instead' }],
};
const TRAEFIK: ExportResult = {
  engine: 'traefik',
  targets: 'Traefik v3.7',
  files: [
    { name: 'traefik.yml', text: 'entryPoints: {}\n' },
    { name: 'dynamic.yml', text: 'http: {}\n' },
  ],
  warnings: [],
};

function bridgeWith(results: Record<string, ExportResult>) {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
  bridge.overrides['workspace:export'] = ({ engine }): Result<ExportResult> =>
    results[engine] ? { ok: true, value: results[engine]! } : { ok: false, error: { code: 'EXPORT_UNSUPPORTED', message: 'Caddy has no layer-4 proxy' } };
  return bridge;
}

const downloads = captureDownloads();

const key = (k: string) => fireEvent.keyDown(document.activeElement!, { key: k });

async function openMenuByKeyboard() {
  const button = await screen.findByRole('button', { name: 'Export ▾' });
  button.focus();
  key('ArrowDown');
  const menu = screen.getByRole('menu', { name: 'Export for' });
  expect(button.getAttribute('aria-expanded')).toBe('true');
  expect(document.activeElement).toBe(within(menu).getByRole('menuitem', { name: 'nginx' }));
  return { button, menu };
}

describe('Export menu', () => {
  it('moves with the arrows, Home and End; Escape closes it and gives focus back', async () => {
    renderApp(bridgeWith({}));
    const { button, menu } = await openMenuByKeyboard();
    const item = (name: string) => within(menu).getByRole('menuitem', { name });
    key('ArrowDown');
    expect(document.activeElement).toBe(item('HAProxy'));
    key('End');
    expect(document.activeElement).toBe(item('Traefik'));
    key('ArrowDown');
    expect(document.activeElement).toBe(item('nginx'));
    key('ArrowUp');
    expect(document.activeElement).toBe(item('Traefik'));
    key('Home');
    expect(document.activeElement).toBe(item('nginx'));
    key('Escape');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('nginx: shows the warnings, then downloads nginx.conf with the exported text', async () => {
    const bridge = bridgeWith({ nginx: NGINX });
    renderApp(bridge);
    await openMenuByKeyboard();
    fireEvent.click(document.activeElement!);
    const dialog = await screen.findByRole('alertdialog', { name: 'Export for nginx' });
    expect(bridge.callsOf('workspace:export')).toEqual([{ engine: 'nginx' }]);
    await within(dialog).findByTestId('export-warnings');
    expect(within(dialog).getByTestId('export-warnings').textContent).toBe('web · peak-EWMA (nearest): least_conn instead');
    expect(dialog.textContent).toContain('nginx.conf, for nginx 1.22.');
    expect(downloads).toHaveLength(0); // nothing is saved before the user says so
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0]!.name).toBe('nginx.conf');
    expect(await downloads[0]!.text).toBe(NGINX.files[0]!.text);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Export ▾' }));
  });

  it('Traefik: two files, two downloads', async () => {
    renderApp(bridgeWith({ traefik: TRAEFIK }));
    const { menu } = await openMenuByKeyboard();
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Traefik' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Export for Traefik' });
    await within(dialog).findByText('Every feature of this workspace maps exactly.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Download files' }));
    await waitFor(() => expect(downloads.map((d) => d.name)).toEqual(['traefik.yml', 'dynamic.yml']));
    expect(await downloads[1]!.text).toBe('http: {}\n');
  });

  it('an engine that cannot take the workspace says why and downloads nothing', async () => {
    renderApp(bridgeWith({}));
    const { menu } = await openMenuByKeyboard();
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Caddy' }));
    const error = await screen.findByTestId('export-error');
    expect(error.textContent).toBe('Caddy cannot take this workspace: Caddy has no layer-4 proxy');
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(downloads).toHaveLength(0);
  });

  it('with a bridge that saves natively (Electron), Save… goes through it and shows where the files went', async () => {
    const bridge = bridgeWith({ envoy: { ...NGINX, engine: 'envoy', files: [{ name: 'envoy.yaml', text: 'admin: {}\n' }] } });
    const saved: string[] = [];
    Object.assign(bridge, {
      saveExport: async (engine: string) => {
        saved.push(engine);
        return { ok: true, value: { canceled: false, paths: ['/home/me/envoy.yaml'], warnings: [] } };
      },
    });
    renderApp(bridge);
    const { menu } = await openMenuByKeyboard();
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Envoy' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Export for Envoy' });
    await within(dialog).findByTestId('export-warnings');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save…' }));
    expect((await screen.findByTestId('export-saved')).textContent).toContain('/home/me/envoy.yaml');
    expect(saved).toEqual(['envoy']);
    expect(downloads).toHaveLength(0);
  });
});

describe('the Electron bridge and the native save', () => {
  const api = { invoke: async () => ({ ok: true as const, value: null as never }), subscribe: () => () => {} };

  it('offers saveExport only when the preload does, passes the engine, and turns a rejection into INTERNAL', async () => {
    const { createElectronBridge } = await import('../../renderer/bridge/electron');
    expect(createElectronBridge(api).saveExport).toBeUndefined();
    const asked: string[] = [];
    const bridge = createElectronBridge({
      ...api,
      saveExport: async (engine) => {
        asked.push(engine);
        if (engine === 'caddy') throw new Error('ipc broke');
        return { ok: true, value: { canceled: true } };
      },
    });
    expect(await bridge.saveExport!('haproxy')).toEqual({ ok: true, value: { canceled: true } });
    expect(await bridge.saveExport!('caddy')).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'ipc broke' } });
    expect(asked).toEqual(['haproxy', 'caddy']);
  });
});
