/**
 * `lbw export` through the CLI's entry (in process): what it prints, what it
 * writes and refuses to write, warnings one line each on stderr, and exit
 * codes (2 for bad flags or files, 1 when the engine cannot take the
 * workspace).
 */
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import { lbwVersion } from '../../cli/export';

let dir: string;
let wsFile: string;
let tcpFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-export-cli-'));
  wsFile = join(dir, 'ws.json');
  tcpFile = join(dir, 'tcp.json');
  await writeFile(
    wsFile,
    JSON.stringify({
      services: [{ name: 'web', listen: '127.0.0.1:18080', strategy: 'peak-ewma', backends: [{ url: 'http://127.0.0.1:3001' }, { url: 'http://127.0.0.1:3002', backup: true }], healthCheck: {} }],
    }),
  );
  await writeFile(tcpFile, JSON.stringify({ services: [{ name: 'db', protocol: 'tcp', listen: '127.0.0.1:15432', backends: [{ url: 'tcp://127.0.0.1:5432' }] }] }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lbw(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  const code = await main(argv, { out, err });
  return { code, out: o, err: e };
}

describe('lbw export', () => {
  it('prints the nginx config with its header, and each warning as one stderr line', async () => {
    const r = await lbw('export', wsFile, '--to', 'nginx');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# nginx configuration exported by LB Workbench \(lbw \d+\.\d+\.\d+\)/);
    expect(r.out).toContain(`# workspace: ${wsFile}`);
    expect(r.out).toContain('random two least_conn;');
    const lines = r.err.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^lbw export: warning: web: \S.* \((nearest|none)\): \S/);
    expect(lines.some((l) => l.includes('peak-ewma (nearest)'))).toBe(true);
    expect(lines.some((l) => l.includes('healthCheck (none)'))).toBe(true);
    // The number of warning lines is the number of "lbw:" comments in the file.
    expect((r.out.match(/# lbw: /g) ?? []).length).toBe(lines.length);
  });

  it('names the version in package.json', async () => {
    const pkg = JSON.parse(await readFile(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(lbwVersion()).toBe(pkg.version);
  });

  it('writes --out atomically, replaces its own export, refuses a foreign file unless --force', async () => {
    const out = join(dir, 'haproxy.cfg');
    let r = await lbw('export', wsFile, '--to', 'haproxy', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(await readFile(out, 'utf8')).toContain('balance random(2)');
    expect((await lbw('export', wsFile, '--to', 'haproxy', '--out', out)).code).toBe(0);
    const foreign = join(dir, 'mine.cfg');
    await writeFile(foreign, 'global\n  # hand written\n');
    r = await lbw('export', wsFile, '--to', 'haproxy', '--out', foreign);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lbw did not write it.*--force/);
    expect(await readFile(foreign, 'utf8')).toBe('global\n  # hand written\n');
    expect((await lbw('export', wsFile, '--to', 'haproxy', '--out', foreign, '--force')).code).toBe(0);
    expect(await readFile(foreign, 'utf8')).toContain('exported by LB Workbench');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never writes through a symbolic link, nor a file of another kind', async () => {
    const target = join(dir, 'target.conf');
    await writeFile(target, 'keep');
    const link = join(dir, 'link.conf');
    await symlink(target, link);
    const r = await lbw('export', wsFile, '--to', 'nginx', '--out', link);
    expect(r.code).toBe(2);
    expect(r.err).toContain('symbolic link');
    expect(await readFile(target, 'utf8')).toBe('keep');
    expect((await lbw('export', wsFile, '--to', 'nginx', '--out', join(dir, 'nginx.txt'))).code).toBe(2);
  });

  it('writes a Caddyfile, and both Traefik files into a directory', async () => {
    expect((await lbw('export', wsFile, '--to', 'caddy', '--out', join(dir, 'Caddyfile'))).code).toBe(0);
    expect(await readFile(join(dir, 'Caddyfile'), 'utf8')).toContain('reverse_proxy 127.0.0.1:3001');
    const tdir = join(dir, 'traefik');
    const r = await lbw('export', wsFile, '--to', 'traefik', '--out', tdir);
    expect(r.code).toBe(0);
    expect((await readdir(tdir)).sort()).toEqual(['dynamic.yml', 'traefik.yml']);
  });

  it('exit 1 when the engine cannot take the workspace (TCP on Caddy), nothing on stdout', async () => {
    const r = await lbw('export', tcpFile, '--to', 'caddy');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^lbw export: Caddy's standard build has no layer-4 \(TCP\) proxy, so "db" cannot be exported/);
  });

  it('exit 1 for a demo backend without a fixed port: it has no address outside lbw', async () => {
    const demo = join(dir, 'demo.json');
    await writeFile(demo, JSON.stringify({ services: [{ name: 'web', listen: '127.0.0.1:18081', backends: [{ demo: 'alpha' }] }] }));
    const r = await lbw('export', demo, '--to', 'haproxy');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/backend alpha has no fixed port/);
  });

  it.each([
    [['export', 'ws.json'], /--to is required/],
    [['export', 'WS', '--to', 'apache'], /--to must be one of nginx, haproxy, caddy, envoy, traefik/],
    [['export', '--to', 'nginx'], /exactly one workspace file/],
    [['export', 'WS', '--to', 'nginx', '--bogus'], /bogus/],
    [['export', '/nonexistent/ws.json', '--to', 'nginx'], /nonexistent/],
  ])('exit 2 on bad flags or files: %j', async (argv, message) => {
    const r = await lbw(...argv.map((a) => (a === 'WS' ? wsFile : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('exit 2 on an invalid workspace, naming the problem', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ services: [{ name: 'x', listen: 'nope' }] }));
    const r = await lbw('export', bad, '--to', 'nginx');
    expect(r.code).toBe(2);
    expect(r.err).toContain('listen');
  });

  it('--help', async () => {
    const r = await lbw('export', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('lbw export FILE --to nginx|haproxy|caddy|envoy|traefik');
  });
});
