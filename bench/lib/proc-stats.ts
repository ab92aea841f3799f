/**
 * What /proc says about a process tree: CPU time (utime + stime), peak and
 * current resident memory (VmHWM, VmRSS), and how to reset the peak. Linux
 * only; elsewhere every reading is undefined and the table shows "-".
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

let clkTck: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat times (almost always 100). */
export function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

function readStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Every live descendant of `pid` (children, grandchildren...). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const f = readStat(Number(e));
    if (f) parentOf.set(Number(e), Number(f[1])); // field 4 (ppid) is index 1 after the name
  }
  const out: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/** The process and its descendants. */
export function tree(pid: number): number[] {
  return [pid, ...descendants(pid)];
}

/** utime + stime of the process tree, in seconds (children that already exited are not counted). */
export function cpuSeconds(pids: readonly number[]): number | undefined {
  let ticks = 0;
  let any = false;
  for (const pid of pids) {
    const f = readStat(pid);
    if (!f) continue;
    any = true;
    ticks += Number(f[11]) + Number(f[12]); // fields 14 and 15
  }
  return any ? ticks / ticksPerSecond() : undefined;
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of VmHWM (peak RSS) over the processes, in MB. */
export function peakRssMb(pids: readonly number[]): number | undefined {
  return sumMb(pids, 'VmHWM');
}

/** Sum of VmRSS (current RSS) over the processes, in MB. */
export function rssMb(pids: readonly number[]): number | undefined {
  return sumMb(pids, 'VmRSS');
}

function sumMb(pids: readonly number[], key: 'VmHWM' | 'VmRSS'): number | undefined {
  let kb = 0;
  let any = false;
  for (const pid of pids) {
    const v = statusKb(pid, key);
    if (v === undefined) continue;
    any = true;
    kb += v;
  }
  return any ? kb / 1024 : undefined;
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs); false where not permitted. */
export function resetPeakRss(pids: readonly number[]): boolean {
  let ok = true;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** CPU seconds the whole machine spent busy (all CPUs, everything but idle and iowait) since boot. */
export function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** CPU seconds of this process plus its children that have exited and been reaped (the load generator, once done). */
export function selfAndReapedChildrenSeconds(): number {
  const own = process.cpuUsage();
  const f = readStat(process.pid);
  const reaped = f ? (Number(f[13]) + Number(f[14])) / ticksPerSecond() : 0; // fields 16 and 17: cutime, cstime
  return (own.user + own.system) / 1e6 + reaped;
}
