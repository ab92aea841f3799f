/** Caddy 2.6 on an exported Caddyfile: checks take a dead backend out; Caddy has no backup servers and no TCP proxy (see caddy export tests). */
import { describe } from 'vitest';
import { installed } from './engines';
import { describeEngine } from './scenarios';

describe.runIf(installed('caddy'))('caddy', () => describeEngine('caddy', { takesOut: 'active', backup: false, tcp: false, hashFallback: false, statusRetry: false }));
