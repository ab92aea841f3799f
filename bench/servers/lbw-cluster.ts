/**
 * Prototype, bench only: `lbw run` served from N worker processes with
 * node:cluster. Each worker runs the unchanged CLI (its own Workbench, health
 * checks and stats); the primary only hands accepted connections out round
 * robin. Long-lived keep-alive connections make that hand-off a one-off cost
 * per connection; SCHED_NONE (every worker accepting on the shared socket)
 * tends to give one worker most of a burst of connects.
 *
 *   node --import tsx bench/servers/lbw-cluster.ts <workers> <workspace.json>
 */
import cluster from 'node:cluster';

const [workersArg, workspace] = process.argv.slice(2);

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const n = Math.max(1, Number(workersArg ?? 2));
  for (let i = 0; i < n; i++) cluster.fork();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) if (w?.process.pid !== undefined) process.kill(w.process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  };
  cluster.on('exit', () => {
    if (!stopping) stop();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const { run } = await import('../../cli/run');
  const code = await run([workspace ?? 'workspace.json', '--plain'], { out: process.stdout, err: process.stderr });
  process.exit(code);
}
