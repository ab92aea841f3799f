/**
 * A summary of a V8 `.cpuprofile` (from `node --cpu-prof`): where the busy
 * time went, by function (self time), by file, and by area (node:http server
 * side, http client side, streams and sockets, http-proxy, LB Workbench's
 * core, GC...), both as self time and as inclusive time (the share of busy
 * samples whose stack passes through the area). Idle time is left out of the
 * shares. A window (`fromMs`..`toMs` after the profile starts) drops start-up
 * and shutdown.
 *
 *   tsx bench/profile-summary.ts <file.cpuprofile> [--from-ms N] [--to-ms N] [--top N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  /** Share of busy (non-idle) time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  idleMs: number;
  functions: Row[];
  files: Row[];
  areasSelf: Row[];
  areasInclusive: Row[];
  /** LB Workbench and http-proxy functions by inclusive time (each counted once per sample). */
  ownInclusive: Row[];
  /** esbuild's keepNames helper that tsx injects (`__name`), summed over every file: a cost of running from source. */
  keepNames: Row;
}

/** The area a frame belongs to, from its URL and name. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(root)') return 'root';
    return 'native builtins/bindings';
  }
  if (url.includes('/node_modules/http-proxy/')) return 'http-proxy';
  if (url.includes('/node_modules/eventemitter3/') || url.includes('/node_modules/requires-port/')) return 'http-proxy deps';
  if (url.includes('/node_modules/tsx/') || url.includes('/node_modules/esbuild/')) return 'tsx loader';
  if (url.includes('/node_modules/zod/')) return 'zod';
  if (url.includes('/node_modules/')) return 'other packages';
  const core = /\/(core\/[a-z-]+)\//.exec(url);
  if (core) return `lbw ${core[1]}`;
  if (/\/(cli|core)\//.test(url)) return 'lbw cli/core (top level)';
  if (/^node:_http_(server|incoming)$/.test(url)) return 'node:http server side';
  if (/^node:_http_(client|agent)$/.test(url)) return 'node:http client side';
  if (/^node:_http_(outgoing|common)$/.test(url) || url === 'node:http') return 'node:http shared (outgoing/common)';
  if (/^node:(net|stream|internal\/streams\/|internal\/stream_base_commons)/.test(url)) return 'node net & streams';
  if (/^node:(events|internal\/timers|timers|internal\/process\/task_queues)/.test(url)) return 'node events, timers, ticks';
  if (url.startsWith('node:')) return 'node internals (other)';
  return 'other';
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const m = /(node_modules\/.*|core\/.*|cli\/.*|bench\/.*)$/.exec(url);
  return m ? m[1]! : url;
}

export function summarise(profile: CpuProfile, opts: { fromMs?: number; toMs?: number; top?: number } = {}): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const fromUs = (opts.fromMs ?? 0) * 1000;
  const toUs = opts.toMs === undefined ? Infinity : opts.toMs * 1000;
  const self = new Map<number, number>(); // node id -> µs
  const inclusive = new Map<string, number>(); // area -> µs
  const ownInclusive = new Map<string, number>(); // lbw or http-proxy function -> µs
  let t = 0;
  let windowUs = 0;
  let idleUs = 0;
  let busyUs = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dt = timeDeltas[i + 1] ?? 0;
    if (t < fromUs || t > toUs || dt <= 0) continue;
    const id = samples[i]!;
    windowUs += dt;
    const node = byId.get(id);
    if (!node) continue;
    if (areaOf(node.callFrame) === 'idle') {
      idleUs += dt;
      continue;
    }
    busyUs += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
    const seen = new Set<string>();
    const own = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) continue;
      const area = areaOf(n.callFrame);
      seen.add(area);
      if (area.startsWith('lbw') || area.startsWith('http-proxy')) own.add(frameKey(n.callFrame));
    }
    for (const a of seen) if (a !== 'root') inclusive.set(a, (inclusive.get(a) ?? 0) + dt);
    for (const k of own) ownInclusive.set(k, (ownInclusive.get(k) ?? 0) + dt);
  }

  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  let keepNamesUs = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const key = frameKey(f);
    fn.set(key, (fn.get(key) ?? 0) + us);
    if (f.functionName === '__name') keepNamesUs += us;
    const file = shortUrl(f.url);
    files.set(file, (files.get(file) ?? 0) + us);
    const area = areaOf(f);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const top = opts.top ?? 25;
  const rows = (m: Map<string, number>, n: number): Row[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    functions: rows(fn, top),
    files: rows(files, top),
    areasSelf: rows(areas, 50),
    areasInclusive: rows(inclusive, 50),
    ownInclusive: rows(ownInclusive, top),
    keepNames: { name: '__name (tsx keepNames)', ms: keepNamesUs / 1000, share: busyUs > 0 ? keepNamesUs / busyUs : 0 },
  };
}

function frameKey(f: CallFrame): string {
  // Line numbers of .ts files are the transpiled code's, which tsx emits on very few lines: the file says more.
  const loc = f.url === '' ? '' : f.url.endsWith('.ts') ? ` ${shortUrl(f.url)}` : ` ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  return `${f.functionName || '(anonymous)'}${loc}`;
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const block = (title: string, rows: Row[]) => [title, ...rows.map((r) => `  ${pct(r.share)}  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`)].join('\n');
  return [
    `window ${(s.windowMs / 1000).toFixed(1)} s: busy ${(s.busyMs / 1000).toFixed(2)} s (${pct(s.windowMs > 0 ? s.busyMs / s.windowMs : 0).trim()} of one core), idle ${(s.idleMs / 1000).toFixed(2)} s`,
    block('By area, self time (share of busy time):', s.areasSelf),
    block('By area, inclusive (busy samples whose stack passes through it):', s.areasInclusive),
    block('Top functions, self time:', s.functions),
    block('LB Workbench and http-proxy functions, inclusive:', s.ownInclusive.slice(0, 20)),
    block('Top files, self time:', s.files.slice(0, 15)),
    block('Helpers tsx adds when running from source:', [s.keepNames]),
  ].join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'from-ms': { type: 'string' }, 'to-ms': { type: 'string' }, top: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--from-ms N] [--to-ms N] [--top N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const opts: { fromMs?: number; toMs?: number; top?: number } = {};
  if (values['from-ms'] !== undefined) opts.fromMs = Number(values['from-ms']);
  if (values['to-ms'] !== undefined) opts.toMs = Number(values['to-ms']);
  if (values.top !== undefined) opts.top = Number(values.top);
  process.stdout.write(`${formatSummary(summarise(profile, opts))}\n`);
}
