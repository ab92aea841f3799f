/**
 * A small HTTP/1.1 message parser over a byte buffer, shared by the
 * conformance backends (requests) and the raw client (responses). It is
 * written for tests: it keeps header names as sent, in order, and reports
 * framing it does not understand instead of guessing, so a proxy's exact
 * output can be examined. Incremental use: call again with more bytes; it
 * answers `more` until a whole message is there.
 */

/** Header lines as sent: name (original case) and value, in order. */
export type RawHeaders = Array<[string, string]>;

export interface Head {
  /** The first line split in three: method, target, version (requests) or version, status, reason (responses). */
  start: [string, string, string];
  headers: RawHeaders;
  /** Bytes up to and including the blank line. */
  length: number;
}

export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

export interface Body {
  body: Buffer;
  trailers: RawHeaders;
  /** Bytes of the body as framed on the wire (chunk sizes and trailers included). */
  length: number;
}

export type Parsed<T> = { kind: 'ok'; value: T } | { kind: 'more' } | { kind: 'bad'; reason: string };

const CRLF = Buffer.from('\r\n');
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/** Parses a message head at `offset`; `maxBytes` bounds how much may be read looking for its end. */
export function parseHead(buf: Buffer, offset = 0, maxBytes = 1 << 20): Parsed<Head> {
  const end = buf.indexOf(END_OF_HEAD, offset);
  if (end < 0) return buf.length - offset > maxBytes ? { kind: 'bad', reason: 'head too long' } : { kind: 'more' };
  const lines = buf.subarray(offset, end).toString('latin1').split('\r\n');
  const first = lines.shift() ?? '';
  const m = /^(\S+) (\S+)(?: (.*))?$/.exec(first);
  if (!m) return { kind: 'bad', reason: `bad start line ${JSON.stringify(first.slice(0, 80))}` };
  const headers: RawHeaders = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'bad', reason: `bad header line ${JSON.stringify(line.slice(0, 80))}` };
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { kind: 'ok', value: { start: [m[1]!, m[2]!, m[3] ?? ''], headers, length: end + 4 - offset } };
}

/** All values of a header (case-insensitive name), in order. */
export function values(headers: RawHeaders, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The framing of a request body (RFC 9112 §6.3: chunked wins over a length; neither means no body). */
export function requestFraming(headers: RawHeaders): Framing {
  const te = values(headers, 'transfer-encoding').join(',').toLowerCase();
  if (te) return te.split(',').map((s) => s.trim()).pop() === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  const cl = values(headers, 'content-length');
  return cl.length ? { kind: 'length', length: Number(cl[0]) } : { kind: 'none' };
}

/** The framing of a response body, given the request method and the status. */
export function responseFraming(method: string, status: number, headers: RawHeaders): Framing {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const framing = requestFraming(headers);
  return framing.kind === 'none' ? { kind: 'close' } : framing;
}

/** Parses a body at `offset` under `framing`; with `close` framing it needs `ended` (the peer closed). */
export function parseBody(buf: Buffer, offset: number, framing: Framing, ended: boolean): Parsed<Body> {
  switch (framing.kind) {
    case 'none':
      return { kind: 'ok', value: { body: Buffer.alloc(0), trailers: [], length: 0 } };
    case 'length':
      if (!Number.isSafeInteger(framing.length) || framing.length < 0) return { kind: 'bad', reason: 'bad content-length' };
      if (buf.length - offset < framing.length) return { kind: 'more' };
      return { kind: 'ok', value: { body: buf.subarray(offset, offset + framing.length), trailers: [], length: framing.length } };
    case 'close':
      if (!ended) return { kind: 'more' };
      return { kind: 'ok', value: { body: buf.subarray(offset), trailers: [], length: buf.length - offset } };
    case 'chunked':
      return parseChunked(buf, offset);
  }
}

function parseChunked(buf: Buffer, offset: number): Parsed<Body> {
  const parts: Buffer[] = [];
  let at = offset;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return { kind: 'more' };
    const sizeText = buf.subarray(at, eol).toString('latin1').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return { kind: 'bad', reason: `bad chunk size ${JSON.stringify(sizeText.slice(0, 40))}` };
    const size = parseInt(sizeText, 16);
    at = eol + 2;
    if (size === 0) break;
    if (buf.length < at + size + 2) return { kind: 'more' };
    parts.push(buf.subarray(at, at + size));
    if (!buf.subarray(at + size, at + size + 2).equals(CRLF)) return { kind: 'bad', reason: 'chunk not followed by CRLF' };
    at += size + 2;
  }
  // Trailer section: header lines up to an empty line.
  const trailers: RawHeaders = [];
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return { kind: 'more' };
    const line = buf.subarray(at, eol).toString('latin1');
    at = eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'bad', reason: `bad trailer line ${JSON.stringify(line.slice(0, 80))}` };
    trailers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { kind: 'ok', value: { body: Buffer.concat(parts), trailers, length: at - offset } };
}

/** Serializes a head: a start line and header lines. */
export function formatHead(startLine: string, headers: RawHeaders): string {
  return `${startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** Frames `parts` as chunks, then the trailer section. */
export function chunked(parts: Array<string | Buffer>, trailers: RawHeaders = []): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const b = Buffer.from(p);
    if (b.length) out.push(Buffer.from(`${b.length.toString(16)}\r\n`), b, CRLF);
  }
  out.push(Buffer.from(`0\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`));
  return Buffer.concat(out);
}
