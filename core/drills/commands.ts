/**
 * The drills commands: drills are saved in the workspace (list, save,
 * remove); one runs at a time (run, stop, status); the last report is kept
 * (report) and can be written as JSON or as a self-contained HTML page
 * (export, under the safe-write rule: see ./export).
 */
import type { CommandContext, Handlers } from '../command-context';
import type { DemoLab } from '../demo/commands';
import type { LoadRunner } from '../demo/load-runner';
import { LbError } from '../model/errors';
import { exportReport } from './export';
import type { DrillReport, DrillStatus } from './report';
import { DrillRun } from './run';
import type { DrillSpec } from './spec';

export class DrillRunner {
  private current: { run: DrillRun; done: Promise<DrillReport> } | undefined;
  private last: DrillReport | null = null;

  constructor(
    private readonly ctx: CommandContext,
    private readonly demo: DemoLab,
    private readonly load: LoadRunner,
  ) {}

  /** Starts a drill of the workspace; answers once it is under way (CONFLICT while a drill or a load runs). */
  start(name: string): DrillStatus {
    if (this.current) throw new LbError('CONFLICT', `drill "${this.current.run.drill.name}" is running; stop it first`);
    const drill = this.ctx.workspace().drills?.find((d) => d.name === name);
    if (!drill) throw new LbError('NOT_FOUND', `no drill named "${name}"`);
    const run = new DrillRun(drill, { ctx: this.ctx, demo: this.demo, load: this.load, onReport: (report) => (this.last = report) });
    const done = run.begin();
    const current = { run, done };
    this.current = current;
    void done.then(() => {
      if (this.current === current) this.current = undefined;
    });
    return this.status();
  }

  status(): DrillStatus {
    const run = this.current?.run;
    if (!run) return { state: 'idle', drill: null, startedAt: null, durationMs: null, stepsDone: 0 };
    return { state: run.state, drill: run.drill.name, startedAt: run.t0, durationMs: run.drill.durationMs, stepsDone: run.stepsDone };
  }

  /** Ends the running drill early and waits for its report (restores included). */
  async stop(): Promise<void> {
    const current = this.current;
    if (!current) return;
    current.run.stop();
    await current.done;
  }

  report(): DrillReport | null {
    return this.last;
  }
}

export function drillCommands(
  ctx: CommandContext,
  runner: DrillRunner,
): Handlers<'drills:list' | 'drills:save' | 'drills:remove' | 'drills:run' | 'drills:stop' | 'drills:status' | 'drills:report' | 'drills:export'> {
  return {
    'drills:list': () => ctx.workspace().drills ?? [],
    'drills:save': async ({ drill }) => {
      const ws = ctx.workspace();
      const drills: DrillSpec[] = [...(ws.drills ?? [])];
      const i = drills.findIndex((d) => d.name === drill.name);
      if (i >= 0) drills[i] = drill;
      else drills.push(drill);
      await ctx.commit({ ...ws, drills }, `drill ${drill.name} saved`);
      return drill;
    },
    'drills:remove': async ({ name }) => {
      const ws = ctx.workspace();
      if (!ws.drills?.some((d) => d.name === name)) throw new LbError('NOT_FOUND', `no drill named "${name}"`);
      const { drills: all = [], ...rest } = ws;
      const drills = all.filter((d) => d.name !== name);
      await ctx.commit(drills.length > 0 ? { ...rest, drills } : rest, `drill ${name} removed`);
      return { removed: name };
    },
    'drills:run': ({ name }) => runner.start(name),
    'drills:stop': () => {
      void runner.stop();
      return runner.status();
    },
    'drills:status': () => runner.status(),
    'drills:report': () => runner.report(),
    'drills:export': async ({ format, path, overwrite }) => {
      const report = runner.report();
      if (!report) throw new LbError('NOT_FOUND', 'no drill has finished yet: run one first');
      const bytes = await exportReport(report, format, path, overwrite);
      return { path, format, bytes };
    },
  };
}
