/**
 * Writing a drill report to a file: JSON (the report with a `generator` key
 * first) or the self-contained HTML page (which carries the same marker in a
 * <meta>), under the safe-write rule (../config/safe-write). The marker is how
 * lbw knows an existing file for a report it wrote, which it replaces without
 * asking; any other file needs the user's `overwrite`.
 */
import { open } from 'node:fs/promises';
import { safeWriteFile } from '../config/safe-write';
import { REPORT_GENERATOR, reportText, type ReportFormat } from './html';

// The file's text (reportText) is in ./html, DOM- and fs-free, so a browser page downloads the same bytes.
export { reportText };
import type { DrillReport } from './report';

export type { ReportFormat } from './html';

/** How far into a file the marker is looked for: both exports write it in their first few hundred bytes. */
const MARKER_WINDOW = 4096;

const JSON_MARKER = new RegExp(`^\\{\\s*"generator"\\s*:\\s*"${REPORT_GENERATOR}"`);
const HTML_MARKER = `<meta name="generator" content="${REPORT_GENERATOR}">`;


/** Writes the report to `path` (a .json or .html file, as the format says); answers the bytes written. */
export async function exportReport(report: DrillReport, format: ReportFormat, path: string, overwrite?: boolean): Promise<number> {
  const text = reportText(report, format);
  await safeWriteFile(path, text, {
    what: `a ${format.toUpperCase()} report`,
    extensions: [`.${format}`],
    overwrite,
    ours: (target) => isReportFile(target),
  });
  return Buffer.byteLength(text);
}

/** Whether the file begins as a report lbw exported (JSON or HTML). */
export async function isReportFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MARKER_WINDOW);
    const { bytesRead } = await handle.read(buf, 0, MARKER_WINDOW, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    return JSON_MARKER.test(head) || head.includes(HTML_MARKER);
  } finally {
    await handle.close();
  }
}
