#!/usr/bin/env node
// The `lbw` command: the compiled CLI (see ./compiled.js), or the TypeScript
// source through tsx's loader where it cannot be compiled.
import { compiledCli } from './compiled.js';

const bundle = await compiledCli();
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/entry.ts');
}
