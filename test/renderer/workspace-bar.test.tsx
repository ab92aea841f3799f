// @vitest-environment jsdom
/**
 * The workspace bar (issue 16, bug 9, and the browser's file handling):
 * the path field starts as the file the core uses (`lbw serve FILE`); Open
 * asks before it discards unsaved changes (this window's, or the core's
 * `workspace:status`) and only a yes opens; the workspace downloads as the
 * core would save it; a picked file's text goes to the core as
 * `workspace:replace`, also asking first when there are unsaved changes.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { captureDownloads } from './downloads';
import { renderApp } from './setup';

afterEach(cleanup);

const downloads = captureDownloads();

function setup(status: { path: string | null; dirty: boolean }) {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' })])]);
  bridge.overrides['workspace:status'] = () => ({ ok: true, value: status });
  bridge.overrides['workspace:file'] = () => ({ ok: true, value: { name: 'ws.json', text: '{ "services": [] }\n' } });
  return { bridge, status, ...renderApp(bridge) };
}

const field = () => screen.getByLabelText('Workspace file') as HTMLInputElement;

describe('workspace bar', () => {
  it('fills the path field with the file the core uses, and Save writes there', async () => {
    const { bridge } = setup({ path: '/tmp/ws.json', dirty: false });
    await waitFor(() => expect(field().value).toBe('/tmp/ws.json'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(bridge.callsOf('workspace:save')).toEqual([{ path: '/tmp/ws.json' }]));
  });

  it('asks before Open discards unsaved changes; Cancel keeps them, the yes opens', async () => {
    const { bridge } = setup({ path: '/tmp/ws.json', dirty: true });
    await waitFor(() => expect(field().value).toBe('/tmp/ws.json'));
    fireEvent.change(field(), { target: { value: '/tmp/other.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    const dialog = await screen.findByTestId('open-unsaved');
    expect(dialog.textContent).toContain('/tmp/other.json');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('open-unsaved')).toBeNull());
    expect(bridge.callsOf('workspace:open')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    fireEvent.click(within(await screen.findByTestId('open-unsaved')).getByRole('button', { name: 'Open without saving' }));
    await waitFor(() => expect(bridge.callsOf('workspace:open')).toEqual([{ path: '/tmp/other.json' }]));
  });

  it('opens at once when nothing is unsaved', async () => {
    const { bridge } = setup({ path: null, dirty: false });
    await screen.findByTestId('backend-row-a');
    fireEvent.change(field(), { target: { value: '/tmp/other.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(bridge.callsOf('workspace:open')).toEqual([{ path: '/tmp/other.json' }]));
    expect(screen.queryByTestId('open-unsaved')).toBeNull();
  });

  it('downloads the workspace as the core would save it', async () => {
    setup({ path: '/tmp/ws.json', dirty: false });
    await screen.findByTestId('backend-row-a');
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0]!.name).toBe('ws.json');
    expect(await downloads[0]!.text).toBe('{ "services": [] }\n');
  });

  it('sends a picked file to the core as workspace:replace, asking first when changes are unsaved', async () => {
    const { bridge, status } = setup({ path: null, dirty: false });
    await screen.findByTestId('backend-row-a');
    const upload = screen.getByTestId('workspace-upload');
    const ws = { services: [{ name: 'web', listen: '127.0.0.1:8080', backends: [{ url: 'http://127.0.0.1:3009' }] }] };
    fireEvent.change(upload, { target: { files: [new File([JSON.stringify(ws)], 'mine.json', { type: 'application/json' })] } });
    await waitFor(() => expect(bridge.callsOf('workspace:replace')).toEqual([{ workspace: ws }]));
    // Now the picked file is unsaved: a second pick asks.
    status.dirty = true;
    fireEvent.change(upload, { target: { files: [new File(['{"services":[]}'], 'empty.json')] } });
    const dialog = await screen.findByTestId('open-unsaved');
    expect(dialog.textContent).toContain('empty.json');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Open without saving' }));
    await waitFor(() => expect(bridge.callsOf('workspace:replace')).toHaveLength(2));
  });

  it('refuses a picked file that is not JSON, saying which file', async () => {
    const { bridge } = setup({ path: null, dirty: false });
    await screen.findByTestId('backend-row-a');
    fireEvent.change(screen.getByTestId('workspace-upload'), { target: { files: [new File(['not json'], 'broken.json')] } });
    const error = await screen.findByTestId('workspace-error');
    expect(error.textContent).toContain('broken.json is not JSON');
    expect(bridge.callsOf('workspace:replace')).toEqual([]);
  });
});
