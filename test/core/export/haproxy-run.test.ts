/** HAProxy 2.6 on an exported haproxy.cfg (`haproxy -f FILE`): checks take a dead backend out. */
import { describe } from 'vitest';
import { installed } from './engines';
import { describeEngine } from './scenarios';

describe.runIf(installed('haproxy'))('haproxy', () => describeEngine('haproxy', { takesOut: 'active', backup: true, tcp: true, hashFallback: true, statusRetry: true }));
