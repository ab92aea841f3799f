/**
 * Compare: strategies side by side on the same traffic. Pick a built-in
 * scenario (each says what it teaches and what to look for) or paste one as
 * JSON, run it simulated (a second or so, on a virtual clock, through the
 * balancer's own strategy, retry and health code) or on real sockets (each
 * strategy in turn for the load's duration), and read the table, the latency
 * percentiles of every strategy on one chart and the split between backends.
 * The result exports as JSON or as a self-contained HTML page (downloads).
 */
import { useEffect, useRef, useState } from 'react';
import type { ErrorData } from '../../core/contract';
import { compareHtml } from '../../core/lab/compare/html';
import type { BuiltinScenarioInfo, CompareResult, CompareStatus } from '../../core/lab/compare/result';
import { PercentileChart, ShareChart } from '../charts/CompareCharts';
import { useActions } from '../store/context';
import { ErrorLines } from './ErrorLines';
import { formatPercent } from './format';

const PASTE = '__paste__';
const POLL_MS = 500;

export function ComparePanel({ active }: { active: boolean }) {
  const actions = useActions();
  const [builtins, setBuiltins] = useState<BuiltinScenarioInfo[]>([]);
  const [choice, setChoice] = useState('slow-backend');
  const [text, setText] = useState('');
  const [real, setReal] = useState(false);
  const [seed, setSeed] = useState('');
  const [status, setStatus] = useState<CompareStatus | null>(null);
  const [result, setResult] = useState<{ result: CompareResult; info: BuiltinScenarioInfo | null; colours: Record<string, string> } | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  const poll = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (!active || builtins.length > 0) return;
    void actions.compareBuiltins().then((res) => res.ok && setBuiltins(res.value));
  }, [active, actions, builtins.length]);
  useEffect(() => () => clearTimeout(poll.current), []);

  const info = builtins.find((b) => b.name === choice) ?? null;
  const running = status?.state === 'running';

  async function run() {
    setError(null);
    let scenario: unknown;
    if (choice === PASTE) {
      try {
        scenario = JSON.parse(text);
      } catch (err) {
        setError({ code: 'INPUT_INVALID', message: `the scenario is not valid JSON: ${(err as Error).message}` });
        return;
      }
    }
    const seedValue = seed.trim() === '' ? undefined : Number(seed);
    if (seedValue !== undefined && (!Number.isInteger(seedValue) || seedValue < 0)) {
      setError({ code: 'INPUT_INVALID', message: 'the seed is a whole number of 0 or more' });
      return;
    }
    setBusy(true);
    const res = await actions.compareRun({
      ...(choice === PASTE ? { scenario } : { builtin: choice }),
      simulate: !real,
      ...(seedValue === undefined ? {} : { seed: seedValue }),
    });
    setBusy(false);
    if (!res.ok) return setError(res.error);
    const source = choice === PASTE ? scenario : info?.scenario;
    const meta = { info: choice === PASTE ? null : info, colours: coloursOf(source) };
    if (res.value.state === 'running') follow(res.value, meta);
    else if (res.value.result) setResult({ result: res.value.result, ...meta });
  }

  /** Polls a real run until it ends. */
  function follow(s: CompareStatus, meta: { info: BuiltinScenarioInfo | null; colours: Record<string, string> }) {
    setStatus(s);
    if (s.state !== 'running') {
      if (s.error) setError(s.error);
      else if (s.result) setResult({ result: s.result, ...meta });
      return;
    }
    poll.current = setTimeout(() => {
      void actions.compareStatus().then((res) => (res.ok ? follow(res.value, meta) : setError(res.error)));
    }, POLL_MS);
  }

  return (
    <div className="compare">
      <section className="panel" aria-labelledby="compare-title">
        <div className="panel-head">
          <h3 id="compare-title">Compare strategies</h3>
        </div>
        <p className="small muted">
          The same traffic, once per strategy. Simulated runs take about a second on a virtual clock and drive the balancer&apos;s own strategy, retry and
          health code; real runs use demo backends and the load generator on this machine, one strategy after another.
        </p>
        <div className="compare-form">
          <label>
            Scenario{' '}
            <select data-testid="compare-scenario" value={choice} onChange={(e) => setChoice(e.target.value)} disabled={running}>
              {builtins.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name}
                </option>
              ))}
              <option value={PASTE}>Paste JSON…</option>
            </select>
          </label>
          {choice !== PASTE && info && (
            <button type="button" onClick={() => (setText(JSON.stringify(info.scenario, null, 2)), setChoice(PASTE))} disabled={running}>
              Edit as JSON
            </button>
          )}
          <label>
            Seed <input className="seed" data-testid="compare-seed" inputMode="numeric" placeholder="scenario's" value={seed} onChange={(e) => setSeed(e.target.value)} size={8} />
          </label>
          <label title="Each strategy in turn for the load's duration, on real sockets">
            <input type="checkbox" data-testid="compare-real" checked={real} onChange={(e) => setReal(e.target.checked)} disabled={running} /> Real sockets
          </label>
          <button type="button" className="primary" data-testid="compare-run" onClick={() => void run()} disabled={busy || running}>
            {real ? 'Run on real sockets' : 'Simulate'}
          </button>
        </div>
        {choice === PASTE ? (
          <textarea
            className="compare-json mono"
            data-testid="compare-json"
            aria-label="Scenario JSON"
            rows={14}
            spellCheck={false}
            value={text}
            placeholder='{ "backends": [...], "load": { "mode": "open", "rate": 100, "durationMs": 10000 }, "strategies": ["round-robin", "least-connections"] }'
            onChange={(e) => setText(e.target.value)}
          />
        ) : (
          info && <ScenarioNote info={info} />
        )}
        {running && status.progress && (
          <p className="small" data-testid="compare-progress" role="status">
            Running {status.progress.scenario} on real sockets: {status.progress.strategy} ({status.progress.index + 1} of {status.progress.total},{' '}
            {Math.round(status.progress.durationMs / 1000)} s each)…
          </p>
        )}
        {error && <ErrorLines error={error} testId="compare-error" />}
      </section>
      {result && <CompareResults {...result} />}
    </div>
  );
}

function ScenarioNote({ info }: { info: BuiltinScenarioInfo }) {
  return (
    <div className="compare-note small" data-testid="compare-note">
      <p>{info.description}</p>
      <p>
        <strong>What to look for:</strong> {info.lookFor}
      </p>
    </div>
  );
}

function CompareResults({ result, info, colours }: { result: CompareResult; info: BuiltinScenarioInfo | null; colours: Record<string, string> }) {
  const backends = Object.keys(result.rows[0]?.share ?? {});
  const keys = result.rows.some((r) => r.keysMoved !== undefined);
  const base = `compare-${result.scenario}-${result.mode}`;
  return (
    <section className="panel" aria-labelledby="compare-results-title" data-testid="compare-results">
      <div className="panel-head">
        <h3 id="compare-results-title">
          {result.scenario} <span className="small muted">({result.mode === 'simulated' ? 'simulated' : 'real sockets'}, seed {result.seed})</span>
        </h3>
        <span>
          <button type="button" data-testid="compare-export-json" onClick={() => download(`${base}.json`, 'application/json', `${JSON.stringify(result.rows, null, 2)}\n`)}>
            Export JSON
          </button>{' '}
          <button
            type="button"
            data-testid="compare-export-html"
            onClick={() => download(`${base}.html`, 'text/html', compareHtml(result, { description: info?.description, lookFor: info?.lookFor, colours }))}
          >
            Export HTML
          </button>
        </span>
      </div>
      <div className="table-scroll">
        <table className="report-table" data-testid="compare-table">
          <thead>
            <tr>
              <th>strategy</th>
              <th className="num">requests</th>
              <th className="num">failed</th>
              <th className="num">retries</th>
              <th className="num">p50 ms</th>
              <th className="num">p90 ms</th>
              <th className="num">p99 ms</th>
              <th className="num">max ms</th>
              <th className="num" title="The largest share / weight share − 1: 0 follows the weights exactly">
                imbalance
              </th>
              {keys && (
                <th className="num" title="Share of keys answered by more than one backend">
                  keys moved
                </th>
              )}
              {backends.map((b) => (
                <th key={b} className="num">
                  {b}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr key={r.strategy} data-testid="compare-row">
                <td>{r.strategy}</td>
                <td className="num">{r.requests}</td>
                <td className={r.failed > 0 ? 'num bad' : 'num'}>{r.failed}</td>
                <td className="num">{r.retries}</td>
                <td className="num">{ms(r.p50)}</td>
                <td className="num">{ms(r.p90)}</td>
                <td className="num">{ms(r.p99)}</td>
                <td className="num">{ms(r.max)}</td>
                <td className="num">{r.imbalance.toFixed(2)}</td>
                {keys && <td className="num">{r.keysMoved == null ? '–' : formatPercent(r.keysMoved)}</td>}
                {backends.map((b) => (
                  <td key={b} className="num">
                    {formatPercent(r.share[b] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="compare-charts">
        <div>
          <h4>Latency percentiles (ms, log scale)</h4>
          <PercentileChart rows={result.rows} />
        </div>
        <div>
          <h4>Share of answers by backend</h4>
          <ShareChart rows={result.rows} colours={colours} />
        </div>
      </div>
    </section>
  );
}

function ms(v: number): string {
  return v < 10 ? v.toFixed(1) : Math.round(v).toString();
}

/** Backend colours from a scenario, when it names them. */
function coloursOf(scenario: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const backends = (scenario as { backends?: unknown } | null)?.backends;
  if (Array.isArray(backends)) for (const b of backends) if (b && typeof b.name === 'string' && typeof b.colour === 'string') out[b.name] = b.colour;
  return out;
}

/** Saves text as a file through the browser's download (Electron shows its save dialog for it). */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
