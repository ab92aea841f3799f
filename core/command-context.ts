/**
 * What a feature's command handlers may use of the Workbench. Features
 * (faults, demo and load, drills) each own their handlers in their own
 * directory and get this context, so workbench.ts stays the facade that
 * wires them rather than the place where everything lives.
 */
import type { CommandArgs, CommandInput, CommandName, CommandOutput, CommandOutputs } from './contract/commands';
import type { Push, WorkbenchEvent } from './contract/events';
import type { Result } from './model/result';
import type { WorkspaceSpec } from './model/spec';
import type { ServiceRuntime } from './service-runtime';

export type Handler<K extends CommandName> = (input: CommandArgs<K>) => Promise<CommandOutputs[K]> | CommandOutputs[K];
export type Handlers<K extends CommandName> = { [P in K]: Handler<P> };

export interface CommandContext {
  now(): number;
  random(): number;
  emit(event: WorkbenchEvent): void;
  publish(push: Push): void;
  subscribe(listener: (push: Push) => void): () => void;
  /** The running service of that name; NOT_FOUND otherwise. */
  runtime(name: string): ServiceRuntime;
  runtimes(): ServiceRuntime[];
  /** A copy of the workspace. */
  workspace(): WorkspaceSpec;
  /** Validates, applies and commits an edited workspace (emits config:changed). Only from inside a handler. */
  commit(next: WorkspaceSpec, cause: string): Promise<void>;
  /** Runs another command's handler from inside a handler (which already holds the queue); throws on error. */
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandOutput<K>>;
  /** Queues a command as a user's would be; for timers, never from inside a handler (it would wait for itself). */
  invoke<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
}
