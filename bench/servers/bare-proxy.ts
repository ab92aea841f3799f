/**
 * The engine LB Workbench is built on, with nothing around it: one http-proxy
 * instance, one keep-alive agent per backend (the same agent options as
 * core/proxy/agent-pool.ts) and round-robin. The bench's baseline for
 * "feature overhead".
 *
 *   node --import tsx bench/servers/bare-proxy.ts <port> <backendUrl>...
 */
import http from 'node:http';
import HttpProxy from 'http-proxy';

const [portArg, ...targets] = process.argv.slice(2);
const agentOptions: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, maxFreeSockets: 32, scheduling: 'lifo', timeout: 4000 };
const upstreams = targets.map((target) => ({ target, agent: new http.Agent(agentOptions) }));
const proxy = HttpProxy.createProxyServer({ xfwd: true });
proxy.on('error', (_err, _req, res) => {
  if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});

let next = 0;
const server = http.createServer((req, res) => {
  const u = upstreams[next++ % upstreams.length]!;
  proxy.web(req, res, u);
});
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
