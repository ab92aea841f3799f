/** `lbw`: the command-line entry. Bad flags or files end with one line and exit code 2. */
import { LbError } from '../core/model/errors';
import { run, type Io } from './run';
import { validate } from './validate';
import { HELP, UsageError } from './usage';

type Command = (argv: string[], io: Io) => Promise<number>;

const commands: Record<string, Command> = {
  run,
  validate,
  serve: async (argv, io) => (await import('./serve')).serve(argv, io),
  load: async (argv, io) => (await import('./load')).load(argv, io),
  init: async (argv, io) => (await import('./init')).init(argv, io),
  compare: async (argv, io) => (await import('./compare')).compare(argv, io),
  export: async (argv, io) => (await import('./export')).exportCommand(argv, io),
  // Clients of a running instance's admin API (--admin).
  fault: async (argv, io) => (await import('./clients/fault')).fault(argv, io),
  backend: async (argv, io) => (await import('./clients/backend')).backend(argv, io),
  drill: async (argv, io) => (await import('./clients/drill')).drill(argv, io),
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    io.out.write(`${topic && topic in HELP ? HELP[topic as keyof typeof HELP] : HELP.main}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err.write(`lbw: unknown command "${name}" (try lbw --help)\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`lbw ${name}: ${err.message}\n`);
      return 2;
    }
    // parseArgs rejects unknown or malformed flags with a code of its own.
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      io.err.write(`lbw ${name}: ${(err as Error).message} (see lbw ${name} --help)\n`);
      return 2;
    }
    if (err instanceof LbError) {
      io.err.write(`lbw ${name}: ${err.message}\n`);
      return err.code === 'CONFIG_INVALID' || err.code === 'INPUT_INVALID' || err.code === 'IO_ERROR' ? 2 : 1;
    }
    io.err.write(`lbw ${name}: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}
