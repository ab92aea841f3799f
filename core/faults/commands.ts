/**
 * The faults commands: set, clear and list a backend's injected faults.
 * Faults are runtime state on each backend (see ./fault-set); every change
 * is announced with a 'faults:changed' event so UIs can mark rows and charts.
 * A change applies to requests and connections that start after it: an open
 * TCP connection keeps the faults it drew when it connected.
 */
import type { BackendFaults } from '../contract/commands';
import type { CommandContext, Handlers } from '../command-context';
import type { Backend } from '../model/backend';
import type { ServiceRuntime } from '../service-runtime';
import { faultsFor } from './protocols';
import type { Fault } from './spec';

export function backendFaults(svc: ServiceRuntime, b: Backend): BackendFaults {
  return { service: svc.name, backend: b.name, backendId: b.id, faults: b.faults.list(), labels: b.faults.labels() };
}

/** Replaces a backend's faults and announces it. */
export function setFaults(ctx: CommandContext, svc: ServiceRuntime, b: Backend, faults: readonly Fault[]): BackendFaults {
  b.faults.set(faults);
  const view = backendFaults(svc, b);
  ctx.emit({ type: 'faults:changed', at: ctx.now(), service: svc.name, backend: b.name, backendId: b.id, faults: view.faults, labels: view.labels });
  return view;
}

export function faultCommands(ctx: CommandContext): Handlers<'faults:set' | 'faults:clear' | 'faults:list'> {
  return {
    'faults:set': ({ service, backend, faults }) => {
      const svc = ctx.runtime(service);
      const target = svc.findBackend(backend);
      // A fault that means nothing to the protocol is refused: better than one that silently does nothing.
      return setFaults(ctx, svc, target, faultsFor(svc.spec.protocol, svc.name, faults));
    },
    'faults:clear': ({ service, backend }) => {
      const services = service === undefined ? ctx.runtimes() : [ctx.runtime(service)];
      const healed: BackendFaults[] = [];
      for (const svc of services) {
        const targets = backend === undefined ? svc.backends : [svc.findBackend(backend)];
        for (const b of targets) if (b.faults.size > 0) healed.push(setFaults(ctx, svc, b, []));
      }
      return healed;
    },
    'faults:list': ({ service }) => {
      const services = service === undefined ? ctx.runtimes() : [ctx.runtime(service)];
      return services.flatMap((svc) => svc.backends.map((b) => backendFaults(svc, b)));
    },
  };
}
