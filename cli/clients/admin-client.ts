/**
 * The client side of the admin API for `lbw fault`, `lbw backend` and
 * `lbw drill`: where the running instance is (`--admin HOST:PORT`, or
 * LBW_ADMIN), its token (LBW_ADMIN_TOKEN: never a flag, so it stays out of
 * `ps` and shell history), commands typed by the contract, and the event
 * stream read as server-sent events.
 */
import type { CommandInput, CommandName, CommandOutput, WorkbenchEvent } from '../../core/contract';
import type { Result } from '../../core/model/result';
import { TOKEN_ENV } from '../admin/start';
import type { Io } from '../run';
import { UsageError } from '../usage';

export const ADMIN_ENV = 'LBW_ADMIN';

export interface AdminClient {
  /** `http://127.0.0.1:9901` */
  base: string;
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<Result<CommandOutput<K>>>;
  /** Opens GET /api/events; resolves once the stream is open (so nothing after it is missed). */
  events(onEvent: (event: WorkbenchEvent) => void, signal: AbortSignal): Promise<{ closed: Promise<void> }>;
}

/** `127.0.0.1:9901`, `[::1]:9901` or `http://127.0.0.1:9901` → the base URL. */
export function adminBase(value: string): string {
  const text = /^https?:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--admin takes HOST:PORT, e.g. 127.0.0.1:9901; got "${value}"`);
  }
  if (url.port === '' || (url.pathname !== '/' && url.pathname !== '')) throw new UsageError(`--admin takes HOST:PORT, e.g. 127.0.0.1:9901; got "${value}"`);
  return `${url.protocol}//${url.host}`;
}

export function adminClient(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminClient {
  const address = flag ?? env[ADMIN_ENV];
  if (address === undefined || address === '') throw new UsageError(`give --admin HOST:PORT (the address "lbw run --admin" printed) or set ${ADMIN_ENV}`);
  const token = env[TOKEN_ENV];
  if (token === undefined || token === '') throw new UsageError(`set ${TOKEN_ENV} to the admin token "lbw run --admin" printed`);
  const base = adminBase(address);
  const headers = { authorization: `Bearer ${token}` };

  const unreachable = (err: unknown) => new Error(`cannot reach the admin API at ${base}: ${describeFetchError(err)}`);

  return {
    base,
    async call(name, input) {
      let res: Response;
      try {
        res = await fetch(`${base}/api/${name}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      } catch (err) {
        throw unreachable(err);
      }
      const text = await res.text();
      try {
        const body = JSON.parse(text) as Result<never>;
        if (typeof body === 'object' && body !== null && typeof body.ok === 'boolean') return body;
      } catch {
        // not the envelope: reported below
      }
      throw new Error(`${base} answered ${res.status} without the admin API's envelope: is it an lbw admin address?`);
    },
    async events(onEvent, signal) {
      let res: Response;
      try {
        res = await fetch(`${base}/api/events`, { headers, signal });
      } catch (err) {
        throw unreachable(err);
      }
      if (!res.ok || !res.body) throw new Error(`GET ${base}/api/events answered ${res.status}`);
      const body = res.body;
      const closed = (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).trimStart())
                .join('\n');
              if (data !== '') onEvent(JSON.parse(data) as WorkbenchEvent);
            }
          }
        } catch {
          // aborted, or the stream broke: the caller polls as well
        }
      })();
      return { closed };
    },
  };
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

/**
 * Prints a failed command's error (code, message, one line per issue) and
 * returns the exit code: 2 for input the admin API refused as invalid, 1
 * otherwise.
 */
export function reportError(io: Io, command: string, result: Extract<Result<unknown>, { ok: false }>): number {
  io.err.write(`lbw ${command}: ${result.error.code}: ${result.error.message}\n`);
  for (const issue of result.error.issues ?? []) io.err.write(`  ${issue}\n`);
  return result.error.code === 'INPUT_INVALID' || result.error.code === 'CONFIG_INVALID' ? 2 : 1;
}

/** The service to act on: the one named, or the only one there is. */
export async function resolveService(client: AdminClient, named: string | undefined): Promise<string> {
  if (named !== undefined) return named;
  const list = await client.call('services:list', {});
  if (!list.ok) throw new Error(`services:list: ${list.error.message}`);
  if (list.value.length === 1) return list.value[0]!.name;
  throw new UsageError(`name the service with --service (there are ${list.value.length}: ${list.value.map((s) => s.name).join(', ') || 'none'})`);
}
