// @vitest-environment jsdom
/**
 * A drill report downloads through the browser (issue 16, browser mode), as
 * JSON and as HTML, with the same text drills:export writes on the host
 * (reportText), without a path typed and without a command to the core.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DrillSchema } from '../../core/contract';
import { reportText } from '../../core/drills/export';
import { backendView, drillReport, FakeBridge, serviceView } from './fake-bridge';
import { captureDownloads } from './downloads';
import { renderApp } from './setup';

afterEach(cleanup);

const downloads = captureDownloads();

describe('drill report downloads', () => {
  it('downloads the report as JSON and as HTML, the bytes drills:export writes', async () => {
    const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a' }), backendView('http://127.0.0.1:3002', { name: 'b' })])]);
    renderApp(bridge);
    await screen.findByTestId('backend-row-a');
    fireEvent.click(screen.getByRole('tab', { name: /^Drills/ }));
    const report = drillReport(DrillSchema.parse({ name: 'Kill b', service: 'web', durationMs: 1000, steps: [{ action: 'kill', atMs: 100, backend: 'b' }] }));
    act(() => bridge.finishDrill(report));
    const view = await screen.findByTestId('drill-report');
    await waitFor(() => expect(within(view).getByTestId('drill-verdict')).toBeTruthy());
    const shown = bridge.drillReport!;

    fireEvent.click(within(view).getByTestId('download-json'));
    fireEvent.click(within(view).getByTestId('download-html'));
    expect(downloads.map((d) => d.name)).toEqual(['kill-b-report.json', 'kill-b-report.html']);
    expect(await downloads[0]!.text).toBe(reportText(shown, 'json'));
    expect(await downloads[1]!.text).toBe(reportText(shown, 'html'));
    expect(bridge.callsOf('drills:export')).toEqual([]);
  });
});
