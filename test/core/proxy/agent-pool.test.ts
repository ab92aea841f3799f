import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../core/model/backend';
import { AgentPool } from '../../../core/proxy/agent-pool';

const backend = (url: string) => new Backend({ url, weight: 1, state: 'active', backup: false });

describe('AgentPool', () => {
  it('parses a backend URL once, as http-proxy would, and shares it', () => {
    const pool = new AgentPool();
    const b = backend('http://127.0.0.1:9001/api');
    const first = pool.get(b);
    expect(first.target).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: '9001', path: '/api' });
    expect(Object.isFrozen(first.target)).toBe(true);
    expect(pool.get(b)).toBe(first);
    pool.destroyAll();
  });

  it('follows a URL change (Backend.update), keeping the agent unless the scheme changed', () => {
    const pool = new AgentPool();
    const b = backend('http://127.0.0.1:9001');
    const before = pool.get(b);
    b.update({ url: 'http://127.0.0.1:9002', weight: 1, state: 'active', backup: false });
    const moved = pool.get(b);
    expect(moved.target.port).toBe('9002');
    expect(moved.agent).toBe(before.agent);
    b.update({ url: 'https://127.0.0.1:9003', weight: 1, state: 'active', backup: false });
    const secure = pool.get(b);
    expect(secure.target).toMatchObject({ protocol: 'https:', port: '9003' });
    expect(secure.agent).toBeInstanceOf(https.Agent);
    pool.destroyAll();
  });

  it('keys by backend id: two backends on one URL do not share an agent; forget drops one', () => {
    const pool = new AgentPool();
    const [a, b] = [backend('http://127.0.0.1:9001'), backend('http://127.0.0.1:9001')];
    const ua = pool.get(a);
    expect(pool.get(b).agent).not.toBe(ua.agent);
    pool.forget(a.id);
    expect(pool.get(a)).not.toBe(ua);
    pool.destroyAll();
  });
});
