/** `npm run bench -- [options]`: the bench's flags, with defaults sized for a run under ~6 minutes. */
import { parseArgs } from 'node:util';
import { ALL_CONTENDERS, type ContenderId } from './contenders';

export interface BenchOptions {
  rounds: number;
  /** Seconds per measured run. */
  duration: number;
  /** Seconds of warm-up per contender and connection count. */
  warmup: number;
  connections: number[];
  contenders: ContenderId[];
  backends: 'auto' | 'nginx' | 'node';
  load: 'auto' | 'wrk' | 'node';
  pin: boolean | 'auto';
  threads: number;
  bodyBytes: number;
  uploadMb: number;
  profileSeconds: number;
  statsBackends: number;
  /** Before each run, wait while other processes use more than this % of one core... */
  quietPercent: number;
  /** ...for at most this many seconds over the whole run. */
  quietBudget: number;
  out: string | undefined;
  /** A git ref of an earlier lbw to measure beside this one (contender lbw-baseline), or undefined. */
  baseline: string | undefined;
}

export const USAGE = `npm run bench -- [options]

  --rounds N            measured rounds per contender and connection count (3)
  --duration S          seconds per measured run (5)
  --warmup S            warm-up seconds per contender and connection count (2)
  --connections A,B     connection counts (64,256)
  --contenders LIST     comma-separated subset of: ${ALL_CONTENDERS.join(', ')}
  --no-experiments      leave out the bench-only prototypes (lbw-full-x2, node-forward; measured at the first connection count only)
  --backends KIND       auto (nginx when installed, else node), nginx or node (auto)
  --load KIND           auto (wrk when installed, else node), wrk or node: the load generator (auto)
  --pin auto|on|off     taskset the proxy onto its own CPU, load and backends onto the rest (auto: when taskset and >= 2 CPUs)
  --threads N           wrk threads (1)
  --body-bytes N        backend response body size (128)
  --upload-mb N         size of the upload through lbw, 0 to skip (100)
  --profile-seconds S   seconds of load under --cpu-prof, 0 to skip (8)
  --stats-backends N    backends in the stats-tick measurement (50)
  --quiet-percent P     before each run, wait while processes outside the bench use more than P% of one core (25)
  --quiet-budget S      ...but wait at most S seconds over the whole run, 0 to never wait (45)
  --out FILE            where to write the JSON (bench/results/bench-<time>.json)
  --baseline REF        also measure lbw as it was at git REF (every feature on), side by side in the same run:
                        checked out into a temporary worktree, sharing this node_modules (contender lbw-baseline)
`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      contenders: { type: 'string' },
      'no-experiments': { type: 'boolean' },
      backends: { type: 'string' },
      load: { type: 'string' },
      pin: { type: 'string' },
      threads: { type: 'string' },
      'body-bytes': { type: 'string' },
      'upload-mb': { type: 'string' },
      'profile-seconds': { type: 'string' },
      'stats-backends': { type: 'string' },
      'quiet-percent': { type: 'string' },
      'quiet-budget': { type: 'string' },
      out: { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const num = (name: string, v: string | undefined, dflt: number, min: number): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${v}"`);
    return n;
  };
  let contenders = values.contenders === undefined ? [...ALL_CONTENDERS] : (values.contenders.split(',').map((s) => s.trim()) as ContenderId[]);
  for (const c of contenders) if (!ALL_CONTENDERS.includes(c)) throw new Error(`unknown contender "${c}" (one of ${ALL_CONTENDERS.join(', ')})`);
  if (values['no-experiments']) contenders = contenders.filter((c) => c !== 'lbw-full-x2' && c !== 'node-forward');
  if (values.baseline === undefined) contenders = contenders.filter((c) => c !== 'lbw-baseline');
  else if (!contenders.includes('lbw-baseline')) contenders.splice(contenders.indexOf('lbw-full') + 1, 0, 'lbw-baseline');
  const backends = values.backends ?? 'auto';
  if (backends !== 'auto' && backends !== 'nginx' && backends !== 'node') throw new Error(`--backends must be auto, nginx or node`);
  const load = values.load ?? 'auto';
  if (load !== 'auto' && load !== 'wrk' && load !== 'node') throw new Error(`--load must be auto, wrk or node`);
  const pin = values.pin ?? 'auto';
  if (pin !== 'auto' && pin !== 'on' && pin !== 'off') throw new Error(`--pin must be auto, on or off`);
  const connections = (values.connections ?? '64,256').split(',').map((s) => num('connections', s, 64, 1));
  return {
    rounds: num('rounds', values.rounds, 3, 1),
    duration: num('duration', values.duration, 5, 1),
    warmup: num('warmup', values.warmup, 2, 0),
    connections,
    contenders,
    backends,
    load,
    pin: pin === 'auto' ? 'auto' : pin === 'on',
    threads: num('threads', values.threads, 1, 1),
    bodyBytes: num('body-bytes', values['body-bytes'], 128, 1),
    uploadMb: num('upload-mb', values['upload-mb'], 100, 0),
    profileSeconds: num('profile-seconds', values['profile-seconds'], 8, 0),
    statsBackends: num('stats-backends', values['stats-backends'], 50, 1),
    quietPercent: num('quiet-percent', values['quiet-percent'], 25, 0),
    quietBudget: num('quiet-budget', values['quiet-budget'], 45, 0),
    out: values.out,
    baseline: values.baseline,
  };
}
