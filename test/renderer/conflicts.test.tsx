// @vitest-environment jsdom
/**
 * Saving a workspace or exporting a report over a file lbw did not write:
 * the core answers CONFLICT, the UI asks in a modal dialog (keyboard first),
 * and only a yes sends the command again with `overwrite: true`.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DrillSchema } from '../../core/contract';
import { backendView, drillReport, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

function webBridge() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })])]);
  bridge.foreignFiles.add('/home/me/notes.json');
  return bridge;
}

async function renderWeb(bridge = webBridge()) {
  const app = renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return app;
}

const dialog = () => screen.getByRole('alertdialog');
const key = (k: string, opts: { shiftKey?: boolean } = {}) => fireEvent.keyDown(document.activeElement!, { key: k, ...opts });

function saveTo(path: string) {
  fireEvent.change(screen.getByLabelText('Workspace file'), { target: { value: path } });
  const save = screen.getByRole('button', { name: 'Save' });
  save.focus();
  fireEvent.click(save);
  return save;
}

describe('saving over a file lbw did not write', () => {
  it('asks first; Escape (or Cancel) writes nothing and puts focus back on Save', async () => {
    const bridge = webBridge();
    await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('State of a'), { target: { value: 'drain' } });
    await screen.findByTestId('unsaved-dot');
    const save = saveTo('/home/me/notes.json');

    await screen.findByRole('alertdialog');
    expect(dialog().getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('alertdialog', { name: 'Replace an existing file?' })).toBeTruthy();
    expect(dialog().textContent).toContain('/home/me/notes.json already exists, and LB Workbench did not write it.');
    // The answer that changes nothing has the focus; the CONFLICT is a question, not an error.
    expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('workspace-error')).toBeNull();
    // Tab and Shift+Tab stay inside the dialog.
    key('Tab');
    expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Replace' }));
    key('Tab', { shiftKey: true });
    expect(document.activeElement).toBe(within(dialog()).getByRole('button', { name: 'Cancel' }));

    key('Escape');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(save);
    expect(bridge.callsOf('workspace:save')).toEqual([{ path: '/home/me/notes.json' }]);
    expect(bridge.foreignFiles.has('/home/me/notes.json')).toBe(true);
    expect(screen.getByTestId('unsaved-dot')).toBeTruthy();

    saveTo('/home/me/notes.json');
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('workspace:save')).toHaveLength(2);
    expect(bridge.callsOf('workspace:save').some((c) => c.overwrite)).toBe(false);
  });

  it('on Replace sends the save again with overwrite: true; the file is then lbw’s and saves without asking', async () => {
    const bridge = webBridge();
    const { store } = await renderWeb(bridge);
    fireEvent.change(screen.getByLabelText('State of a'), { target: { value: 'drain' } });
    await screen.findByTestId('unsaved-dot');
    saveTo('/home/me/notes.json');
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Replace' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(bridge.callsOf('workspace:save')).toEqual([{ path: '/home/me/notes.json' }, { path: '/home/me/notes.json', overwrite: true }]);
    expect(screen.queryByTestId('unsaved-dot')).toBeNull();
    expect(store.getState().workspacePath).toBe('/home/me/notes.json');

    saveTo('/home/me/notes.json');
    await waitFor(() => expect(bridge.callsOf('workspace:save')).toHaveLength(3));
    expect(bridge.callsOf('workspace:save')[2]).toEqual({ path: '/home/me/notes.json' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('any other failure is shown as before, with no question', async () => {
    const bridge = webBridge();
    bridge.overrides['workspace:save'] = () => ({ ok: false, error: { code: 'INPUT_INVALID', message: 'a workspace is saved as a .json file' } });
    await renderWeb(bridge);
    saveTo('/home/me/notes.txt');
    expect((await screen.findByTestId('workspace-error')).textContent).toContain('a workspace is saved as a .json file');
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('exporting a report over a file lbw did not write', () => {
  it('asks; Cancel writes nothing, Replace exports with overwrite: true', async () => {
    const bridge = webBridge();
    const drill = DrillSchema.parse({ name: 'Kill b', service: 'web', durationMs: 10_000, steps: [{ atMs: 2000, action: 'kill', backend: 'b' }] });
    bridge.drills = [drill];
    bridge.drillReport = drillReport(drill);
    bridge.foreignFiles.add('/tmp/report.html');
    await renderWeb(bridge);
    fireEvent.click(screen.getByRole('tab', { name: /^Drills/ }));
    const report = await screen.findByTestId('drill-report');
    fireEvent.change(within(report).getByLabelText('Export to a file on the host'), { target: { value: '/tmp/report' } });

    fireEvent.click(within(report).getByTestId('export-html'));
    expect((await screen.findByRole('alertdialog')).textContent).toContain('/tmp/report.html already exists');
    fireEvent.click(within(dialog()).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(within(report).queryByRole('status')).toBeNull();
    expect(within(report).queryByTestId('export-error')).toBeNull();

    fireEvent.click(within(report).getByTestId('export-html'));
    await screen.findByRole('alertdialog');
    await act(async () => fireEvent.click(within(dialog()).getByRole('button', { name: 'Replace' })));
    await within(report).findByText('Wrote 1 234 bytes to /tmp/report.html');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('drills:export')).toEqual([
      { format: 'html', path: '/tmp/report.html' },
      { format: 'html', path: '/tmp/report.html' },
      { format: 'html', path: '/tmp/report.html', overwrite: true },
    ]);
    // Another name, or the same file now that lbw wrote it, goes without a question.
    fireEvent.click(within(report).getByTestId('export-json'));
    await within(report).findByText('Wrote 1 234 bytes to /tmp/report.json');
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});
