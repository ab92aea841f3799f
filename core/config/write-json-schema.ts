/** Writes schema/workspace.schema.json (run by `npm run schema`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceJsonSchema } from './workspace-file';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'workspace.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(workspaceJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
