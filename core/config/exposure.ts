/**
 * Which services of a workspace listen where other machines can reach them.
 * A workbench is for this machine: a service on 0.0.0.0, ::, a LAN address or
 * a host name other than localhost is probably a mistake (or a choice the user
 * should see), so `lbw run`, `lbw serve` and the UI warn about it.
 *
 * Pure and free of node:net, so the renderer can use it as it is.
 */
import { parseListen } from '../model/spec';

/** One service listening beyond loopback. */
export interface ExposureWarning {
  service: string;
  listen: string;
  /** One line a person reads: the service, the address and what it means. */
  message: string;
}

/** Warnings for every service whose listen address is not loopback, in workspace order. */
export function exposureWarnings(workspace: { services: ReadonlyArray<{ name: string; listen: string }> }): ExposureWarning[] {
  const out: ExposureWarning[] = [];
  for (const svc of workspace.services) {
    const { host, port } = parseListen(svc.listen);
    if (isLoopbackAddress(host)) continue;
    out.push({ service: svc.name, listen: svc.listen, message: `service "${svc.name}" listens on ${svc.listen}: ${reach(host)} (use 127.0.0.1:${port} to keep it on this machine)` });
  }
  return out;
}

function reach(host: string): string {
  if (host === '0.0.0.0') return 'every IPv4 address of this machine, reachable from other machines';
  if (expandIPv6(host)?.every((g) => g === 0)) return 'every address of this machine, reachable from other machines';
  if (isIPv4(host) || expandIPv6(host)) return 'an address other machines may reach';
  return 'a host name that may resolve to an address other machines reach';
}

/** 127.0.0.0/8, ::1 (in any spelling, IPv4-mapped loopback included) or localhost; brackets around IPv6 are allowed. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (host.toLowerCase() === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  const groups = expandIPv6(host);
  if (!groups) return false;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true;
  // ::ffff:127.x.y.z, the IPv4-mapped form of a loopback address.
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff && groups[6]! >> 8 === 127;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

function isIPv4(host: string): boolean {
  return IPV4.test(host);
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part allowed), or undefined if it is not one. */
export function expandIPv6(host: string): number[] | undefined {
  let text = host.split('%')[0]!.toLowerCase(); // a zone (fe80::1%eth0) does not change the address
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[2]!)) return undefined;
    const [a, b, c, d] = v4[2]!.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1) return given === 8 ? [...head, ...tail] : undefined;
  if (given > 7) return undefined;
  return [...head, ...Array<number>(8 - given).fill(0), ...rest, ...tail];
}
