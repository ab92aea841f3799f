/**
 * `lbw serve --open` hands the browser a page only this user can read, not
 * the URL itself (a command line is readable by every user of the machine).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forwardingPage, writeForwardingPage } from '../../cli/browser/open';

const base = mkdtempSync(join(tmpdir(), 'lbw-open-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the --open forwarding page', () => {
  it('is readable by this user only, forwards to the URL, and goes away when removed', () => {
    const url = 'http://127.0.0.1:4280/#token=Ab-_9xYz';
    const page = writeForwardingPage(url, base);
    expect(statSync(page.file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(page.file)).mode & 0o777).toBe(0o700);
    const html = readFileSync(page.file, 'utf8');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    page.remove();
    expect(existsSync(dirname(page.file))).toBe(false);
  });

  it('keeps anything but URL characters out of the page', () => {
    expect(forwardingPage('http://h:1/#token=a"><script>x</script>')).toContain('content="0;url=http://h:1/#token=ascriptx/script">');
    expect(forwardingPage('http://[::1]:5/#token=q')).toContain('url=http://[::1]:5/#token=q"');
  });
});
