/** `lbw validate FILE`: ok, or one line per problem and exit 2. */
import { duplicateUrlWarnings } from '../core/config/duplicates';
import { loadWorkspaceFile } from '../core/config/workspace-file';
import { LbError } from '../core/model/errors';
import type { Io } from './run';
import { HELP, UsageError } from './usage';

export async function validate(argv: string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(`${HELP.validate}\n`);
    return 0;
  }
  if (argv.length !== 1) throw new UsageError('give exactly one workspace file (lbw validate FILE)');
  const file = argv[0]!;
  try {
    const ws = await loadWorkspaceFile(file);
    const backends = ws.services.reduce((n, s) => n + s.backends.length, 0);
    io.out.write(`ok: ${file}: ${ws.services.length} service(s), ${backends} backend(s)\n`);
    // Accepted (it may be meant as a weight), but said.
    for (const w of duplicateUrlWarnings(ws)) io.err.write(`lbw validate: warning: ${w}\n`);
    return 0;
  } catch (err) {
    if (err instanceof LbError && err.issues) {
      io.err.write(`${file}: ${err.issues.length} problem(s)\n${err.issues.map((i) => `  ${i}`).join('\n')}\n`);
      return 2;
    }
    throw err;
  }
}
