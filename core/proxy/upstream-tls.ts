/**
 * How an HTTP service talks TLS to its https:// backends, resolved once from
 * the workspace's `tls` section: verification on or off, the CA file read and
 * checked, the server name. The proxy's agents and the health checker's
 * probes use the same resolved options, so a backend the proxy cannot reach
 * over TLS is never marked healthy.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { LbError } from '../model/errors';
import type { TlsSpec } from '../model/spec';

export interface UpstreamTls {
  rejectUnauthorized: boolean;
  /** PEM contents of `tls.ca`; undefined = Node's bundled CAs. */
  ca: Buffer | undefined;
  /** `tls.servername`, when set: SNI and the name verified. */
  servername: string | undefined;
  /** Equal for equal settings: agents are remade only when it changes. */
  key: string;
}

export const DEFAULT_UPSTREAM_TLS: UpstreamTls = { rejectUnauthorized: true, ca: undefined, servername: undefined, key: 'verify' };

/** Reads and checks the CA file; CONFIG_INVALID naming the field when it is missing or not PEM certificates. */
export function resolveUpstreamTls(spec: TlsSpec | undefined, where = 'tls'): UpstreamTls {
  if (!spec) return DEFAULT_UPSTREAM_TLS;
  let ca: Buffer | undefined;
  if (spec.ca !== undefined) {
    try {
      ca = readFileSync(spec.ca);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new LbError('CONFIG_INVALID', `${where}.ca: cannot read ${spec.ca}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const problem = pemProblem(ca);
    if (problem) throw new LbError('CONFIG_INVALID', `${where}.ca: ${spec.ca} ${problem}`);
  }
  return {
    rejectUnauthorized: spec.verify,
    ca,
    servername: spec.servername,
    key: JSON.stringify([spec.verify, spec.ca ?? null, ca?.length ?? 0, spec.servername ?? null]),
  };
}

/** Why a CA file is no use (no PEM certificate, or one that does not parse), or undefined when every block is a certificate. */
function pemProblem(pem: Buffer): string | undefined {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `has a certificate that does not parse (number ${i + 1}: ${(err as Error).message})`;
    }
  }
  try {
    tls.createSecureContext({ ca: pem });
  } catch (err) {
    return `cannot be used as a CA (${(err as Error).message})`;
  }
  return undefined;
}

/**
 * TLS options for a connection to `hostname`: the configured server name, or
 * the backend's host name (never an IP address: SNI carries names only, and
 * Node would otherwise take the client's Host header).
 */
export function tlsConnectOptions(t: UpstreamTls, hostname: string): tls.ConnectionOptions {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const servername = t.servername ?? (net.isIP(host) ? undefined : host);
  // An empty server name sends no SNI and verifies the certificate against the host dialled.
  const options: tls.ConnectionOptions = { rejectUnauthorized: t.rejectUnauthorized, servername: servername ?? '' };
  if (t.ca) options.ca = t.ca;
  return options;
}

/** TLS verification codes (OpenSSL's, as Node reports them) and handshake failures. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|_SIGNATURE/;

export function isTlsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && TLS_CODE.test(code);
}

/** What went wrong, in a person's words: `self-signed certificate`, `certificate has expired`. */
export function tlsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = (e?.message ?? String(err)).replace(/^Hostname\/IP does not match certificate's altnames: /, 'name mismatch: ');
  return message.length > 160 ? `${message.slice(0, 157)}...` : message;
}
