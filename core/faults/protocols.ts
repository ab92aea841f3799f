/**
 * Which faults make sense for which protocol. The data planes share one
 * FaultSet, but an HTTP status means nothing to a TCP stream and a delayed
 * FIN means nothing to an HTTP exchange; faults:set rejects such a fault
 * rather than let it silently do nothing.
 *
 * A TCP service reads the HTTP names of a reset in its own terms
 * (before-response is `connect`, mid-body is `after-bytes`), so the default
 * `{ type: 'reset' }` works on both protocols and labels itself for each.
 * `hang` and `blackhole` are one fault under two names, accepted by both.
 */
import type { Protocol } from '../model/spec';
import { LbError } from '../model/errors';
import type { Fault, FaultType } from './spec';

/** The fault types a UI offers for a service of each protocol, in menu order. */
export const FAULT_TYPES_BY_PROTOCOL: Readonly<Record<Protocol, readonly FaultType[]>> = {
  http: ['latency', 'error', 'reset', 'hang', 'bandwidth', 'down'],
  tcp: ['latency', 'reset', 'blackhole', 'bandwidth', 'slow-close', 'down'],
};

/** Why `f` makes no sense for a service of `protocol` (and the field at fault), or undefined when it does. */
export function faultMismatch(f: Fault, protocol: Protocol): { field: string; why: string } | undefined {
  if (protocol === 'tcp') {
    if (f.type === 'error') return { field: 'type', why: '"error" answers an HTTP status, which a TCP stream does not have: use reset, blackhole or down' };
    return undefined;
  }
  if (f.type === 'slow-close') return { field: 'type', why: '"slow-close" delays a TCP FIN: it applies to tcp services only' };
  if (f.type === 'latency' && f.perChunk) return { field: 'perChunk', why: 'latency per chunk applies to tcp services only: leave perChunk out for a delay before each request' };
  if (f.type === 'reset' && (f.when === 'connect' || f.when === 'after-bytes')) {
    return { field: 'when', why: `reset when "${f.when}" applies to tcp services only: use "before-response" or "mid-body"` };
  }
  return undefined;
}

/**
 * The faults as a service of `protocol` keeps them: checked (INPUT_INVALID
 * naming every fault that does not fit, `faults[i].field: why`) and, for
 * TCP, a reset's HTTP names read in TCP terms.
 */
export function faultsFor(protocol: Protocol, service: string, faults: readonly Fault[]): Fault[] {
  const issues: string[] = [];
  faults.forEach((f, i) => {
    const bad = faultMismatch(f, protocol);
    if (bad) issues.push(`faults[${i}].${bad.field}: ${bad.why}`);
  });
  if (issues.length > 0) throw new LbError('INPUT_INVALID', `not for ${protocol} service "${service}": ${issues.join('; ')}`, issues);
  if (protocol !== 'tcp') return [...faults];
  return faults.map((f) =>
    f.type === 'reset' && (f.when === 'before-response' || f.when === 'mid-body') ? { ...f, when: f.when === 'mid-body' ? 'after-bytes' : 'connect' } : f,
  );
}
