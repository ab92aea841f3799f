/**
 * Fuzzing browser mode's WebSocket: a few thousand random byte strings,
 * random text and random JSON shapes (seeded, so a failure replays) thrown
 * at an authenticated socket, and random first frames at sockets without the
 * token. The host stays up, answers every frame exactly once (with the
 * frame's id when JSON.parse finds a numeric one, id null otherwise), keeps
 * the socket open, and the workspace is what it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../cli/browser/host';
import { commandNames } from '../../core/contract/commands';
import { Workbench } from '../../core/workbench';
import { seeded } from '../core/faults/sampling';
import { waitFor } from '../helpers/wait';
import { isReply, openAuthed, openSocket, request } from './browser-socket';

const SEED = 0x1b0_2026;
const FRAMES = 3000;
const UNAUTHED_SOCKETS = 60;


/** Commands that change nothing whatever their input; the fuzz may send them any object. */
const READ_ONLY = ['workspace:get', 'services:list', 'strategies:list', 'stats:history', 'events:history', 'faults:list', 'demo:list', 'load:status', 'drills:list', 'drills:status', 'drills:report'];

function generator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (max: number) => Buffer.from(Array.from({ length: int(max + 1) }, () => int(256)));
  // Code points from ASCII, Latin-1, CJK, astral planes and JSON's own syntax characters.
  const text = (max: number) =>
    Array.from({ length: int(max + 1) }, () => {
      const r = random();
      if (r < 0.3) return pick(['{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\n', '0', '-', 'e', '.']);
      if (r < 0.7) return String.fromCharCode(32 + int(95));
      if (r < 0.85) return String.fromCodePoint(0xa0 + int(0x2000));
      return String.fromCodePoint(0x10000 + int(0x1000));
    }).join('');
  const json = (depth: number): unknown => {
    const r = random();
    if (depth <= 0 || r < 0.35) return pick([null, true, false, int(1e6) - 5e5, random() * 1e9, -0, 1e308, text(12), '', '__proto__', 'constructor']);
    if (r < 0.6) return Array.from({ length: int(5) }, () => json(depth - 1));
    const o: Record<string, unknown> = {};
    for (let i = int(6); i > 0; i--) {
      // defineProperty, so '__proto__' becomes a key of the JSON rather than the object's prototype.
      const key = pick(['id', 'name', 'input', 'auth', 'service', 'backend', 'patch', '__proto__', text(6)]);
      Object.defineProperty(o, key, { value: json(depth - 1), enumerable: true, writable: true, configurable: true });
    }
    return o;
  };
  const notAnObject = () => pick([text(8), int(100), [json(1)], true, false]);
  return { int, pick, bytes, text, json, notAnObject };
}

/** A request with a valid one's shape, as text, with a few characters flipped, dropped or inserted. */
function mutate(base: string, g: ReturnType<typeof generator>): string {
  const chars = [...base];
  for (let n = 1 + g.int(4); n > 0; n--) {
    const at = g.int(chars.length + 1);
    const op = g.int(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, g.text(1));
    else chars[at] = g.text(1);
  }
  return chars.join('');
}

/** What an independent reading (JSON.parse) says the reply's id must be: the frame's numeric id, else null. */
function expectedId(frame: string | Buffer): number | null {
  if (typeof frame !== 'string') return null;
  try {
    const msg: unknown = JSON.parse(frame);
    if (typeof msg === 'object' && msg !== null && !Array.isArray(msg)) {
      const id = (msg as { id?: unknown }).id;
      if (typeof id === 'number' && Number.isFinite(id)) return id;
    }
  } catch {
    // not JSON: id null
  }
  return null;
}

let dir: string;
let host: BrowserHost;
let workbench: Workbench;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbw-fuzz-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>LB Workbench</title>');
  workbench = new Workbench({
    dataPlane: false,
    workspace: {
      services: [
        { name: 'api', listen: '127.0.0.1:8080', strategy: 'round-robin', backends: [{ url: 'http://127.0.0.1:3001', name: 'a' }, { url: 'http://127.0.0.1:3002', name: 'b', weight: 3 }] },
        { name: 'db', protocol: 'tcp', listen: '127.0.0.1:8081', backends: [{ url: 'tcp://127.0.0.1:5432', name: 'pg' }] },
      ],
    },
  });
  host = await startBrowserHost({ workbench, host: '127.0.0.1', port: 0, staticDir: dir, authTimeoutMs: 2000 });
});
afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('browser mode socket fuzz', () => {
  it(`answers each of ${FRAMES} random frames exactly once and changes nothing`, async () => {
    const g = generator(seeded(SEED));
    const s = await openAuthed(host.port, host.token);
    const before = (await request(s, 1, 'workspace:get', {})).result.value;
    expect(before).toEqual(workbench.getWorkspace());

    let nextId = 2;
    /** A fresh id each time, sometimes negative, fractional or large. */
    const id = () => {
      const n = nextId++;
      return g.pick([n, n, -n, n + 0.5, 2 ** 40 + n]);
    };
    const validBase = () => JSON.stringify({ id: id(), name: g.pick(READ_ONLY), input: {} });
    const kinds: Array<() => string | Buffer> = [
      () => g.bytes(300), // binary frame
      () => g.text(200), // text that is rarely JSON
      () => JSON.stringify(g.json(4)), // any JSON value
      () => JSON.stringify({ id: id(), name: g.text(20), input: g.json(3) }), // unknown command
      () => JSON.stringify({ id: id(), name: g.pick(READ_ONLY), input: g.json(3) }), // real command, random input
      () => JSON.stringify({ id: id(), name: g.pick(commandNames), input: g.notAnObject() }), // any command, input of the wrong type
      () => JSON.stringify({ id: g.pick(['1', true, [2], { n: 3 }, null]), name: g.pick(commandNames), input: {} }), // id not a number
      () => JSON.stringify({ name: g.pick(commandNames), input: {} }), // no id
      () => mutate(validBase(), g), // nearly a request
    ];
    const frames = Array.from({ length: FRAMES }, () => g.pick(kinds)());

    const t0 = Date.now();
    for (const frame of frames) s.ws.send(frame, { binary: typeof frame !== 'string' });
    const answered = () => s.frames.filter(isReply).length;
    // One for workspace:get above, then one per frame.
    await waitFor(() => answered() >= FRAMES + 1, { timeoutMs: 20_000, message: `an answer to each of ${FRAMES} frames` });
    const elapsedMs = Date.now() - t0;

    const ids = (list: Array<number | null>) => list.map((x) => String(x)).sort();
    const got = s.frames.filter(isReply).map((f) => f.id).slice(1);
    expect(got).toHaveLength(FRAMES);
    expect(ids(got)).toEqual(ids(frames.map(expectedId)));
    // Every reply says whether it worked; errors carry a stable code.
    for (const f of s.frames.slice(1)) {
      const result = (f as { result?: { ok: boolean; error?: { code: unknown } } }).result;
      if (result && !result.ok) expect(typeof result.error?.code).toBe('string');
    }
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    // Bounded time: a few thousand frames well inside the deadline on a noisy 2-core machine.
    expect(elapsedMs).toBeLessThan(20_000);

    // The host is up for a new page, and the configuration is what it was.
    const after = await openAuthed(host.port, host.token);
    expect((await request(after, 1, 'workspace:get', {})).result.value).toEqual(before);
    expect((await request(s, nextId + 1, 'workspace:get', {})).result.value).toEqual(before);
    after.ws.close();
    s.ws.close();
  });

  it(`closes ${UNAUTHED_SOCKETS} sockets whose random first frame is not the token, sending nothing`, async () => {
    const g = generator(seeded(SEED + 1));
    const before = workbench.getWorkspace();
    for (let i = 0; i < UNAUTHED_SOCKETS; i++) {
      const s = await openSocket(host.port);
      const frame = g.pick<() => string | Buffer>([
        () => g.bytes(100),
        () => g.text(100),
        () => JSON.stringify(g.json(3)),
        () => JSON.stringify({ auth: g.text(24) }),
        () => JSON.stringify({ id: 1, name: 'services:remove', input: { service: 'api' } }),
      ])();
      s.ws.send(frame, { binary: typeof frame !== 'string' });
      const closed = await s.closed;
      expect({ i, code: closed.code }).toEqual({ i, code: 4401 });
      expect(s.frames).toEqual([]);
    }
    expect(workbench.getWorkspace()).toEqual(before);
  });
});
