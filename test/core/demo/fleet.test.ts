import { afterEach, describe, expect, it } from 'vitest';
import { DemoFleet, createDemo } from '../../../core/demo/fleet';
import { WorkspaceSchema } from '../../../core/model/spec';
import { request } from './client';

const fleets: DemoFleet[] = [];

afterEach(async () => {
  await Promise.all(fleets.splice(0).map((f) => f.stopAll()));
});

describe('DemoFleet', () => {
  it('adds started backends by name, refuses a duplicate, removes and stops all', async () => {
    const fleet = new DemoFleet();
    fleets.push(fleet);
    const a = await fleet.add({ name: 'a', latency: { ms: 0 } });
    const b = await fleet.add({ name: 'b', latency: { ms: 0 } });
    expect((await request(a.url!)).headers['x-demo-backend']).toBe('a');
    await expect(fleet.add({ name: 'a' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fleet.list().map((x) => x.name)).toEqual(['a', 'b']);

    const aUrl = a.url!;
    expect(await fleet.remove('a')).toBe(true);
    expect(await fleet.remove('a')).toBe(false);
    expect(fleet.get('a')).toBeUndefined();
    await expect(request(aUrl)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const bUrl = b.url!;
    await fleet.stopAll();
    expect(fleet.list()).toEqual([]);
    await expect(request(bUrl)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('frees the name when a backend fails to start', async () => {
    const fleet = new DemoFleet();
    fleets.push(fleet);
    const first = await fleet.add({ name: 'first' });
    await expect(fleet.add({ name: 'clash', port: first.port! })).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(fleet.get('clash')).toBeUndefined();
  });
});

describe('createDemo', () => {
  it('starts alpha, bravo and charlie and describes a valid round-robin workspace in front of them', async () => {
    const { fleet, workspace } = await createDemo({ listen: '127.0.0.1:0' });
    fleets.push(fleet);
    expect(fleet.list().map((b) => b.name)).toEqual(['alpha', 'bravo', 'charlie']);
    const parsed = WorkspaceSchema.parse(workspace);
    const svc = parsed.services[0]!;
    expect(svc).toMatchObject({
      name: 'demo',
      listen: '127.0.0.1:0',
      strategy: 'round-robin',
      healthCheck: { path: '/health', intervalMs: 1000, rise: 2, fall: 2 },
      passiveHealth: { enabled: true },
    });
    expect(svc.backends.map((b) => [b.name, b.url])).toEqual(fleet.list().map((b) => [b.name, b.url]));
    for (const b of fleet.list()) {
      expect((await request(`${b.url}/health`)).status).toBe(200);
      expect((await request(`${b.url}/`)).headers['x-demo-backend']).toBe(b.name);
    }
    expect(fleet.get('bravo')!.spec.latency).toMatchObject({ distribution: 'long-tail', ms: 60 });
  });

  it('listens on 127.0.0.1:8080 by default', async () => {
    const { fleet, workspace } = await createDemo();
    fleets.push(fleet);
    expect(workspace.services?.[0]?.listen).toBe('127.0.0.1:8080');
  });
});
