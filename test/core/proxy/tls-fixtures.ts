/**
 * TLS fixtures for the upstream TLS tests: self-signed certificates made with
 * the system's openssl in a temporary directory, and HTTPS backends on
 * loopback that count what reaches them (TLS handshakes completed, HTTP
 * requests, the SNI name each connection asked for).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestBody } from '../../helpers/body';

export const OPENSSL = '/usr/bin/openssl';

export interface Cert {
  /** PEM file of the certificate: what `tls.ca` points at to trust it. */
  certPath: string;
  cert: Buffer;
  key: Buffer;
}

export interface CertDir {
  dir: string;
  /** A self-signed certificate for CN=localhost with the given subjectAltName (e.g. `DNS:localhost,IP:127.0.0.1`). */
  make(name: string, subjectAltName: string): Cert;
  remove(): void;
}

export function certDir(): CertDir {
  const dir = mkdtempSync(join(tmpdir(), 'lbw-tls-'));
  return {
    dir,
    make(name, subjectAltName) {
      const keyPath = join(dir, `${name}.key`);
      const certPath = join(dir, `${name}.pem`);
      execFileSync(
        OPENSSL,
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', `subjectAltName=${subjectAltName}`, '-keyout', keyPath, '-out', certPath],
        { stdio: 'ignore', timeout: 30_000 },
      );
      return { certPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface HttpsBackend {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** TLS handshakes that completed. */
  readonly handshakes: number;
  /** HTTP requests received, with their body's size and sha256. */
  readonly requests: Array<{ method: string; url: string; bytes: number; sha: string }>;
  /** The SNI name of each completed handshake (`false`: none sent). */
  readonly servernames: Array<string | false>;
  close(): Promise<void>;
}

/** An HTTPS backend with `cert` that answers 200 `<name>:<url>:<bytes>` after reading the whole body. */
export async function startHttpsBackend(cert: Cert, name: string): Promise<HttpsBackend> {
  const requests: HttpsBackend['requests'] = [];
  const servernames: Array<string | false> = [];
  let handshakes = 0;
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    digestBody(req, ({ bytes, sha }) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', bytes, sha });
      res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name });
      res.end(`${name}:${req.url}:${bytes}`);
    });
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    handshakes++;
    servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername);
  });
  server.on('tlsClientError', () => {}); // a client refusing our certificate is the point of these tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    get handshakes() {
      return handshakes;
    },
    requests,
    servernames,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
