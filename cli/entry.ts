/** The process entry of `lbw` (bin/lbw.js loads it); tests call main() directly. */
import { main } from './main';

main(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lbw: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
