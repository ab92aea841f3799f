/**
 * What the e2e support modules share: the repo root, the cleanup stack every
 * test unwinds, the child processes still to kill should the worker die, and
 * an opt-in progress trace.
 */
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const traceStart = Date.now();
/** Progress lines on stderr when LBW_E2E_TRACE is set: where a slow or stuck test spends its time. */
export function trace(msg: string): void {
  if (process.env.LBW_E2E_TRACE) process.stderr.write(`[e2e ${((Date.now() - traceStart) / 1000).toFixed(1)}s] ${msg}\n`);
}

/** Things to stop, run newest first; every step runs even when an earlier one throws. */
export class Stack {
  private steps: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];

  defer(what: string, run: () => Promise<unknown> | unknown): void {
    this.steps.push({ what, run });
  }

  async unwind(): Promise<void> {
    const failures: string[] = [];
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (err) {
        failures.push(`${step.what}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new Error(`cleanup failed:\n${failures.join('\n')}`);
  }
}

const liveChildren = new Set<ChildProcess>();

/** Registers a child process to be killed (by pid) should the worker exit first. */
export function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

// Children still alive when the worker exits (a crash, a timeout that skipped
// the hooks) are killed by pid so no `lbw serve` outlives the test run.
process.once('exit', () => {
  for (const child of liveChildren) {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
