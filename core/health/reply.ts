/**
 * The send/expect part of a TCP health check, parsed once at configuration
 * time: the bytes to send, and the rule the backend's reply must meet (a
 * substring, or `/regex/flags`).
 *
 * Escapes: JSON already turns "PING\r\n" into a carriage return and a line
 * feed; the same escapes typed literally (a backslash and an r, as in a UI
 * text field or HAProxy's tcp-check) are understood too: \r \n \t \0 \\ and
 * \xHH. They apply to `send` and to a substring `expect`, not to a regex,
 * which has escapes of its own.
 */
import { LbError } from '../model/errors';
import { EXPECT_REGEX } from '../model/spec';

/** Decides whether the reply so far meets the rule; `text` is the rule as written, for details. */
export interface ReplyMatcher {
  (reply: Buffer): boolean;
  readonly text: string;
}

const SIMPLE_ESCAPES = new Map([
  ['r', '\r'],
  ['n', '\n'],
  ['t', '\t'],
  ['0', '\0'],
  ['\\', '\\'],
]);

/** The bytes a string stands for, with the escapes above turned into the bytes they name. */
export function unescapeBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '\\' || i + 1 >= text.length) {
      literal += ch;
      continue;
    }
    const next = text[i + 1]!;
    const named = SIMPLE_ESCAPES.get(next);
    if (named !== undefined) {
      literal += named;
      i++;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      if (literal) parts.push(Buffer.from(literal, 'utf8'));
      literal = '';
      parts.push(Buffer.from([parseInt(text.slice(i + 2, i + 4), 16)]));
      i += 3;
    } else {
      literal += ch; // not an escape this understands: the backslash stays
    }
  }
  if (literal) parts.push(Buffer.from(literal, 'utf8'));
  return Buffer.concat(parts);
}

/** Parses an `expect` rule once. Throws CONFIG_INVALID for a regex that does not compile. */
export function parseExpectReply(rule: string): ReplyMatcher {
  const m = EXPECT_REGEX.exec(rule);
  if (m) {
    let re: RegExp;
    try {
      re = new RegExp(m[1]!, m[2]);
    } catch (err) {
      throw new LbError('CONFIG_INVALID', `expect ${rule} is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
    }
    return Object.assign((reply: Buffer) => re.test(reply.toString('utf8')), { text: rule });
  }
  const needle = unescapeBytes(rule);
  return Object.assign((reply: Buffer) => reply.includes(needle), { text: rule });
}

/** A reply for a detail line: quoted, control characters escaped, cut at `max` characters. */
export function showReply(reply: Buffer, max = 40): string {
  const text = reply.toString('utf8');
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}
