/** Help texts and the one-line usage error every subcommand uses. */
export const HELP = {
  main: `lbw — LB Workbench: a real load balancer in front of your local services

Usage: lbw <command> [options]

Commands:
  init [FILE]               write the demo workspace to FILE (lbw.json) to run and edit
  run [workspace.json]      run the balancer in this terminal (no UI)
  validate FILE             check a workspace file and print what is wrong
  serve [workspace.json]    run the workbench UI in your browser
  load URL                  send load to a service on this machine
  compare SCENARIO          strategies side by side on the same traffic (simulated or real)
  export FILE --to ENGINE   the workspace as nginx, HAProxy, Caddy, Envoy or Traefik config
  fault set|clear|list      a running instance's faults (through --admin)
  backend drain|enable|disable|weight   a running instance's backends (through --admin)
  drill run NAME            run a drill on a running instance; exit 1 unless clean
  help [command]            show help for a command

Run "lbw <command> --help" for the options of a command.`,

  run: `Usage: lbw run [workspace.json] [options] [BACKEND_URL...]

Runs the balancer headless: from a workspace file, or from flags and backend URLs.

Options:
  --listen HOST:PORT        listen address (default 127.0.0.1:8080)
  --strategy NAME           balancing strategy (default round-robin; see README)
  --name NAME               service name (default "default")
  --health-path PATH        enable active HTTP health checks on PATH
  --interval MS             health check interval (default 1000)
  --retry-on STATUSES       retry GETs answered with these statuses on another backend, e.g. 502,503,504
  --tick MS                 stats interval (default 500)
  --grace MS                on Ctrl-C, how long in-flight requests may finish (default 5000)
  --plain                   log lines even on a terminal (no live table)
  --no-watch                do not follow the workspace file (by default an edit is applied live)
  --admin HOST:PORT         also serve the admin API there: commands over HTTP, events, /metrics
                            (token from $LBW_ADMIN_TOKEN, or made and printed once; see README)
  --access-log FILE         one JSON line per request (time, service, method, path, status, ms, backend,
                            attempts, reason) appended to FILE; - for stdout (events then go to stderr)
  -h, --help                show this help

Examples:
  lbw run workspace.json
  lbw run --listen 127.0.0.1:8080 --strategy least-connections http://127.0.0.1:3001 http://127.0.0.1:3002`,

  serve: `Usage: lbw serve [workspace.json] [options]

Runs the workbench UI in your browser: the balancer plus the UI on 127.0.0.1,
behind a random token that changes on every run (it is in the printed URL).
Without a workspace file it opens the demo: three built-in backends behind a
service on 127.0.0.1:8080.

Options:
  --port N                  UI port (default 4280; 0 picks a free one)
  --host HOST               UI address (default 127.0.0.1; 0.0.0.0 exposes it, with a warning)
  --demo                    open the demo workspace even when a file is given
  --open                    open the URL in your browser
  --tick MS                 stats interval (default 500)
  --no-watch                do not follow the workspace file (by default an edit is applied live)
  --admin HOST:PORT         also serve the admin API there: commands over HTTP, events, /metrics
                            (token from $LBW_ADMIN_TOKEN, or made and printed once; see README)
  -h, --help                show this help`,

  load: `Usage: lbw load URL [options]

Sends load to an HTTP service on this machine (loopback only) from a worker
thread, and prints what the client saw every half second and at the end.

Options:
  --rate N                  open loop: N requests per second (default 100)
  --ramp S                  rise from 0 to --rate over S seconds
  --concurrency N           closed loop: N clients, one request outstanding each
  --duration S              stop after S seconds (default 10, at most 600)
  --mix "GET /:3,POST /orders:1"   weighted method and path mix (default GET /)
  --body BYTES              request body size for POST, PUT and PATCH
  --key-header NAME | --key-cookie NAME   send one of --keys K distinct keys (for hash strategies)
  --keys K                  how many distinct keys (default 100)
  -h, --help                show this help

Example:
  lbw load http://127.0.0.1:8080 --rate 500 --duration 30 --mix "GET /:3,POST /:1"`,

  compare: `Usage: lbw compare SCENARIO [options]

Runs one scenario under each of its strategies and prints them side by side:
requests, failed, retries, latency p50/p90/p99/max (ms), each backend's share
and the imbalance (max of share / weight share - 1). SCENARIO is a JSON file or
a built-in one: slow-backend, weighted-capacity, backend-dies, sticky-keys.

Options:
  --simulate                a discrete-event simulation on a virtual clock (the real
                            strategy, retry and health code; seconds instead of minutes)
  --seed N                  the seed of the simulation's randomness (default: the scenario's)
  --json                    print the rows as a JSON array
  -h, --help                show this help

Without --simulate every strategy runs in turn on real sockets: demo backends
on this machine, a balancer on a free port and the load generator.

Examples:
  lbw compare slow-backend --simulate
  lbw compare my-scenario.json --json`,

  export: `Usage: lbw export FILE --to nginx|haproxy|caddy|envoy|traefik [--out PATH] [--force]

Turns a workspace into a complete config the engine runs as it is, every service
on its own listen address. What the engine cannot express exactly is a comment
at its spot in the config and one warning line here on stderr.

Options:
  --to ENGINE               nginx (nginx -p DIR -c nginx.conf), haproxy (haproxy -f haproxy.cfg),
                            caddy (caddy run --config Caddyfile --adapter caddyfile; no tcp services),
                            envoy (a static bootstrap YAML), traefik (traefik.yml + dynamic.yml)
  --out PATH                write the file there instead of printing it (traefik: a directory);
                            an existing file is replaced only if lbw exported it, or with --force
  --force                   replace a file at --out that lbw did not write
  -h, --help                show this help

Exit codes: 0 written, 1 the engine cannot take this workspace (EXPORT_UNSUPPORTED), 2 bad flags or file.

Example:
  lbw export workspace.json --to nginx --out /tmp/lb/nginx.conf && nginx -p /tmp/lb -c /tmp/lb/nginx.conf`,

  fault: `Usage: lbw fault set|clear|list [options]

Injects faults into a running lbw (started with --admin) through its admin API.

  lbw fault set --service api --backend a --type error --status 503 [--probability 0.5]
  lbw fault set --backend a --type latency --ms 300 [--jitter 50]
  lbw fault set --backend a --json '[{"type":"reset","when":"mid-body"},{"type":"latency","ms":100}]'
  lbw fault clear [--service api [--backend a]]
  lbw fault list [--service api]

set replaces the backend's faults. Fault flags: --type, --status, --probability (0..1),
--ms, --jitter, --when, --after-bytes, --kib-per-sec, --per-chunk, --disabled.
--service may be left out when there is one service.

Options:
  --admin HOST:PORT         the running instance's admin API (default: $LBW_ADMIN)
  -h, --help                show this help

The token comes from $LBW_ADMIN_TOKEN (what "lbw run --admin" printed, or set it before starting lbw).`,

  backend: `Usage: lbw backend drain|enable|disable|weight --backend NAME [--service S] [--weight N]

Changes a backend of a running lbw (started with --admin) through its admin API:
drain (finish in-flight requests, take no new ones), enable, disable, or its weight.

  lbw backend drain --service api --backend a
  lbw backend weight --backend a --weight 5

Options:
  --admin HOST:PORT         the running instance's admin API (default: $LBW_ADMIN)
  -h, --help                show this help

The token comes from $LBW_ADMIN_TOKEN (what "lbw run --admin" printed, or set it before starting lbw).`,

  drill: `Usage: lbw drill run NAME [--timeout S] | lbw drill list

Runs a drill saved in the workspace of a running lbw (started with --admin),
prints its steps and verdict, and exits 0 when it completed clean, 1 when a GET
failed or a POST may have run twice (or the drill was stopped or broke), so a
CI job can gate on it. --timeout: give up after S seconds (default: the drill's
length plus 120 s).

Options:
  --admin HOST:PORT         the running instance's admin API (default: $LBW_ADMIN)
  -h, --help                show this help

The token comes from $LBW_ADMIN_TOKEN (what "lbw run --admin" printed, or set it before starting lbw).`,

  init: `Usage: lbw init [FILE] [options]

Writes the demo workspace to FILE (default lbw.json): three built-in demo
backends (alpha, bravo, charlie) behind one round-robin service with health
checks. Run it with "lbw run FILE" or "lbw serve FILE", then edit it. An
existing file is never replaced unless --force is given.

Options:
  --listen HOST:PORT        where the demo service listens (default 127.0.0.1:8080)
  --force                   replace FILE if it exists
  -h, --help                show this help`,

  validate: `Usage: lbw validate FILE

Checks a workspace file. Prints "ok" and exits 0, or prints one line per problem
(services[0].backends[1].url: must be an http(s) URL) and exits 2.`,
};

/** Bad flags or a bad file: one line on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
