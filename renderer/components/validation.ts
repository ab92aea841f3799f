/**
 * As-you-type validation with the core's own schemas (zod runs in the
 * browser too), so the UI and the core never disagree about what is valid.
 */
import { BackendSpecSchema, ServiceSpecSchema, type BackendInput, type Protocol } from '../../core/model/spec';
import type { ServiceView } from '../../core/contract';
import { backendSpecOf } from '../store/actions';

/** First problem per field, keyed by the issue path below `prefix` (`url`, `name`, ...). */
export type FieldErrors = Partial<Record<string, string>>;

function firstByField(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix: readonly PropertyKey[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    if (!prefix.every((p, i) => issue.path[i] === p)) continue;
    const field = String(issue.path[prefix.length] ?? '');
    out[field] ??= issue.message;
  }
  return out;
}

/**
 * Problems with a backend about to be added to `service`: the backend schema
 * plus the service's own rules (URL scheme matching the protocol, unique
 * names), checked by validating the service as it would be.
 */
export function validateNewBackend(service: ServiceView, candidate: BackendInput): FieldErrors {
  const backends = [...service.backends.map(backendSpecOf), candidate];
  const parsed = ServiceSpecSchema.safeParse({
    name: service.name,
    protocol: service.protocol,
    listen: service.listen,
    backends,
  });
  if (parsed.success) return {};
  const errors = firstByField(parsed.error.issues, ['backends', backends.length - 1]);
  // Should the service itself fail (it never does when it came from the core), fall back to the backend alone.
  if (Object.keys(errors).length === 0) {
    const alone = BackendSpecSchema.safeParse(candidate);
    return alone.success ? {} : firstByField(alone.error.issues, []);
  }
  return errors;
}

/** Problems with a new service's name and listen address, including clashes with existing services. */
export function validateNewService(input: { name: string; listen: string; protocol: Protocol }, existing: readonly ServiceView[]): FieldErrors {
  const parsed = ServiceSpecSchema.safeParse(input);
  const errors = parsed.success ? {} : firstByField(parsed.error.issues, []);
  if (!errors.name && existing.some((s) => s.name === input.name)) errors.name = `a service called "${input.name}" already exists`;
  if (!errors.listen && !input.listen.endsWith(':0') && existing.some((s) => s.listen === input.listen)) {
    errors.listen = `${input.listen} is already used by another service`;
  }
  return errors;
}

/** The problem with a new service name, or undefined. */
export function validateServiceName(name: string, current: string, existing: readonly ServiceView[]): string | undefined {
  const parsed = ServiceSpecSchema.shape.name.safeParse(name);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  if (name !== current && existing.some((s) => s.name === name)) return `a service called "${name}" already exists`;
  return undefined;
}
