/**
 * Profiles LB Workbench (every feature on) under load: a separate `lbw run`
 * started as `node --cpu-prof --import tsx cli/entry.ts run ...`, warmed up,
 * loaded for `seconds` at `connections`, then stopped with SIGINT (lbw's
 * graceful stop, after which Node writes the profile). The summary covers the
 * measured window only, not start-up or shutdown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, summarise, type CpuProfile, type ProfileSummary } from '../profile-summary';
import { freePort, writeWorkspace, type Rig } from './contenders';
import { pinned, runLoad, type LoadResult, type LoadTool } from './load';
import { sleep, waitForHttp } from './procs';

export interface ProfileRun {
  file: string;
  load: LoadResult;
  summary: ProfileSummary;
  text: string;
}

export async function profileLbw(
  rig: Rig,
  backends: readonly string[],
  tool: LoadTool,
  o: { seconds: number; warmup: number; connections: number; threads: number; outDir: string },
): Promise<ProfileRun> {
  const port = await freePort();
  const ws = writeWorkspace(rig, 'full', port, backends);
  const [cmd, args] = pinned(rig.proxyCpus, process.execPath, ['--cpu-prof', '--cpu-prof-dir', o.outDir, '--import', 'tsx', 'cli/entry.ts', 'run', '--plain', ws]);
  const before = new Set(listProfiles(o.outDir));
  const spawnedAt = Date.now();
  const proc = rig.group.start('lbw --cpu-prof', cmd, args, { logFile: join(rig.dir, 'lbw-prof.log') });
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url, proc, 30_000);
  const load = { url, connections: o.connections, threads: o.threads, cpus: rig.rigCpus };
  if (o.warmup > 0) await runLoad(rig.group, tool, { ...load, seconds: o.warmup });
  const fromMs = Date.now() - spawnedAt;
  const result = await runLoad(rig.group, tool, { ...load, seconds: o.seconds });
  const toMs = Date.now() - spawnedAt;
  await rig.group.stop(proc, 'SIGINT');
  // Node writes the profile as the process exits; give the file system a moment.
  let file: string | undefined;
  for (let i = 0; i < 50 && file === undefined; i++) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (tsx's loader hooks run on thread 1).
    file = listProfiles(o.outDir).find((f) => !before.has(f) && f.split('.')[4] === '0');
    if (file === undefined) await sleep(100);
  }
  if (file === undefined) throw new Error(`lbw --cpu-prof wrote no profile in ${o.outDir}: ${proc.tail()}`);
  const path = join(o.outDir, file);
  const summary = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, { fromMs, toMs, top: 25 });
  return { file: path, load: result, summary, text: formatSummary(summary) };
}

function listProfiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
}
