/**
 * Starts the load worker from TypeScript source. A worker thread begins as
 * plain Node without the parent's TypeScript loader (vitest's, or tsx's when
 * a Worker is given its own execArgv), so this registers tsx for the worker's
 * imports only and loads worker.ts. Builds that compile to .js load worker.js
 * directly and never come here.
 */
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
