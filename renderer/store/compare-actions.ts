/**
 * The Compare tab's commands. A comparison is not live state pushed by the
 * core: the tab asks for one and shows the answer, so these hand the Result
 * straight back and the tab keeps it in its own state.
 */
import type { CommandInput, CommandOutput, Result } from '../../core/contract';
import type { Bridge } from '../bridge/types';

export interface CompareActions {
  compareBuiltins(): Promise<Result<CommandOutput<'compare:builtins'>>>;
  /** Simulated: the result comes back at once; real: running, then follow it with compareStatus. */
  compareRun(input: CommandInput<'compare:run'>): Promise<Result<CommandOutput<'compare:run'>>>;
  compareStatus(): Promise<Result<CommandOutput<'compare:status'>>>;
}

export function createCompareActions(bridge: Bridge): CompareActions {
  return {
    compareBuiltins: () => bridge.invoke('compare:builtins', {}),
    compareRun: (input) => bridge.invoke('compare:run', input),
    compareStatus: () => bridge.invoke('compare:status', {}),
  };
}
