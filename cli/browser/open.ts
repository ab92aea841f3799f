/**
 * `lbw serve --open`: hands the printed URL to the desktop's browser without
 * putting the token on a command line. A process's arguments are readable by
 * every user of the machine (`ps`, /proc/<pid>/cmdline) for as long as it
 * runs, and a browser started for the URL keeps it there. So the URL goes
 * into a small page only this user can read (a 0700 directory, a 0600 file)
 * that sends the browser on to it, and that file is what gets opened; it is
 * removed a minute later, or when lbw stops.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Long enough for a cold browser start; the page is only read once. */
const KEEP_MS = 60_000;

/** The page that forwards to `url` (which carries the token in its fragment). */
export function forwardingPage(url: string): string {
  const safe = url.replace(/[^A-Za-z0-9:/._#=[\]-]/g, '');
  return `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${safe}"><title>LB Workbench</title><a href="${safe}">Open LB Workbench</a>\n`;
}

/** Writes the forwarding page; returns its path and a function that removes it. */
export function writeForwardingPage(url: string, dir = tmpdir()): { file: string; remove: () => void } {
  const home = mkdtempSync(join(dir, 'lbw-open-')); // mode 0700
  const file = join(home, 'open.html');
  writeFileSync(file, forwardingPage(url), { mode: 0o600, flag: 'wx' });
  return { file, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Opens the workbench in the desktop's browser; returns a cleanup for when lbw stops. */
export function openInBrowser(url: string): () => void {
  const page = writeForwardingPage(url);
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(cmd, [page.file], { stdio: 'ignore', detached: true })
    .on('error', () => {})
    .unref();
  const timer = setTimeout(page.remove, KEEP_MS);
  timer.unref();
  return () => {
    clearTimeout(timer);
    page.remove();
  };
}
