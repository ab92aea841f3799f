/**
 * Prototype, bench only: the cheapest forwarding path Node offers without
 * http-proxy: node:http server, node:http request on a keep-alive agent per
 * backend, round-robin, hop-by-hop headers dropped, bodies piped both ways,
 * a 502 on upstream errors. It estimates what a direct fast path for plain
 * requests in core/proxy could gain; it has no retries, health or stats.
 *
 *   node --import tsx bench/servers/node-forward.ts <port> <backendUrl>...
 */
import http from 'node:http';

const [portArg, ...targets] = process.argv.slice(2);
const agentOptions: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, maxFreeSockets: 32, scheduling: 'lifo', timeout: 4000 };
const upstreams = targets.map((t) => {
  const u = new URL(t);
  return { host: u.hostname, port: Number(u.port), agent: new http.Agent(agentOptions) };
});
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

let next = 0;
const server = http.createServer((req, res) => {
  const u = upstreams[next++ % upstreams.length]!;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  const up = http.request({ host: u.host, port: u.port, method: req.method, path: req.url, headers, agent: u.agent }, (ures) => {
    const out: string[] = [];
    const raw = ures.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
    res.writeHead(ures.statusCode ?? 502, out);
    ures.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  req.pipe(up);
});
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
