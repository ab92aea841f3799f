/** nginx 1.22 on an exported nginx.conf (`nginx -p DIR -c FILE`): open-source nginx has no active checks, so a dead backend is taken out by failed requests (max_fails). */
import { describe } from 'vitest';
import { installed } from './engines';
import { describeEngine } from './scenarios';

describe.runIf(installed('nginx'))('nginx', () => describeEngine('nginx', { takesOut: 'passive', backup: true, tcp: true, hashFallback: true, statusRetry: true }));
