/**
 * The engine under test: lbw's Workbench in process, with one HTTP service
 * on 127.0.0.1:0 in front of the conformance backends, round-robin, every
 * other setting at its default (as a user's fresh workspace would have it).
 * The bound port is read back through `services:list`, as any host does.
 */
import { Workbench } from '../../../core/workbench';

export interface Lbw {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startLbw(backendPorts: number[]): Promise<Lbw> {
  const wb = new Workbench({
    tickMs: 1000,
    graceMs: 0,
    workspace: {
      services: [
        {
          name: 'conformance',
          listen: '127.0.0.1:0',
          strategy: 'round-robin',
          backends: backendPorts.map((port, i) => ({ url: `http://127.0.0.1:${port}`, name: `b${i}` })),
        },
      ],
    },
  });
  await wb.start({ failFast: true });
  const listed = await wb.invoke('services:list', {});
  if (!listed.ok) throw new Error(`services:list failed: ${listed.error.message}`);
  const address = listed.value[0]?.address;
  if (!address) throw new Error('the lbw service is not listening');
  return { port: Number(address.slice(address.lastIndexOf(':') + 1)), stop: () => wb.stop(0) };
}
