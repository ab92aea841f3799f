/**
 * The compare commands. A simulated comparison takes a second or so and
 * answers at once (`compare:run` returns its result); one on real sockets
 * takes each strategy's load duration in turn, so it runs in the background
 * (one at a time: CONFLICT while one goes) and a UI follows it with
 * `compare:status` until `state` is idle again and `result` is the new one.
 */
import type { CommandContext, Handlers } from '../../command-context';
import { LbError, toErrorData } from '../../model/errors';
import { BUILTIN_SCENARIOS, builtinNames, builtinScenario } from './builtin';
import type { BuiltinScenarioInfo, CompareStatus } from './result';
import { parseScenario, type Scenario } from './scenario';
import { simulate } from './simulate';

export class CompareRunner {
  private status: CompareStatus = { state: 'idle', progress: null, result: null, error: null };

  constructor(private readonly ctx: CommandContext) {}

  current(): CompareStatus {
    return { ...this.status, progress: this.status.progress && { ...this.status.progress } };
  }

  run(scenario: Scenario, simulated: boolean, seed: number | undefined): CompareStatus {
    if (this.status.state === 'running') throw new LbError('CONFLICT', `a comparison of "${this.status.progress?.scenario}" is running on real sockets; wait for it to finish`);
    if (simulated) {
      this.status = { state: 'idle', progress: null, result: simulate(scenario, seed ?? scenario.seed), error: null };
      return this.current();
    }
    const total = scenario.strategies.length;
    const first = scenario.strategies[0]!.label;
    this.status = { ...this.status, state: 'running', error: null, progress: { scenario: scenario.name, strategy: first, index: 0, total, durationMs: scenario.load.durationMs, startedAt: this.ctx.now() } };
    void (async () => {
      try {
        // Loaded on first use: it brings a Workbench of its own (each strategy runs behind a fresh one).
        const { runReal } = await import('./real');
        const result = await runReal(scenario, {
          ...(seed === undefined ? {} : { seed }),
          onStrategy: (strategy, index) => {
            this.status.progress = { scenario: scenario.name, strategy, index, total, durationMs: scenario.load.durationMs, startedAt: this.ctx.now() };
          },
        });
        this.status = { state: 'idle', progress: null, result, error: null };
      } catch (err) {
        this.status = { ...this.status, state: 'idle', progress: null, error: toErrorData(err) };
      }
    })();
    return this.current();
  }
}

export function builtinInfo(): BuiltinScenarioInfo[] {
  return builtinNames().map((name) => {
    const s = BUILTIN_SCENARIOS[name]!;
    return { name, description: s.description ?? '', lookFor: s.lookFor ?? '', scenario: s };
  });
}

export function compareCommands(runner: CompareRunner): Handlers<'compare:run' | 'compare:status' | 'compare:builtins'> {
  return {
    'compare:run': ({ scenario, builtin, simulate: simulated, seed }) => {
      if ((scenario === undefined) === (builtin === undefined)) throw new LbError('INPUT_INVALID', 'give either a scenario or the name of a built-in one');
      return runner.run(builtin !== undefined ? builtinScenario(builtin) : parseScenario(scenario), simulated, seed);
    },
    'compare:status': () => runner.current(),
    'compare:builtins': () => builtinInfo(),
  };
}
