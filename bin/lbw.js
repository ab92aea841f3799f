#!/usr/bin/env node
// The `lbw` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli/entry.ts');
