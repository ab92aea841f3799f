/**
 * The key space of a hashing service, drawn: ring hash as a ring (each arc
 * coloured by the backend owning the keys that hash there), Maglev as a strip
 * of its lookup table; each backend's share beside its weight's; and after a
 * membership or weight change, the share of 10,000 sampled keys that moved
 * next to the ideal (1/N when one of N equal backends joins or leaves).
 */
import { useEffect, useState } from 'react';
import type { KeySpaceView, ServiceView } from '../../core/contract';
import { seriesColor } from '../charts/palette';
import { useActions, useApp } from '../store/context';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function KeyspaceView({ service, active }: { service: ServiceView; active: boolean }) {
  const actions = useActions();
  const move = useApp((s) => s.keyMoves[service.name]);
  const [view, setView] = useState<KeySpaceView | null>(null);

  useEffect(() => {
    if (!active) return;
    let live = true;
    void actions.strategyKeyspace(service.name).then((res) => {
      if (live && res.ok) setView(res.value);
    });
    return () => {
      live = false;
    };
  }, [actions, active, service.name, service.strategy, service.strategyOptions, service.backends, move]);

  if (!view || !view.applicable) return null;
  const last = move ?? view.lastMove;
  const totalWeight = view.backends.reduce((s, b) => s + b.weight, 0) || 1;
  return (
    <section className="panel keyspace" aria-labelledby="keyspace-title" data-testid="keyspace-view">
      <div className="panel-head">
        <h3 id="keyspace-title">Key space</h3>
        <span className="small muted">
          {view.kind === 'ring' ? `${view.size} points on a 32-bit ring` : `Maglev table of ${view.size} slots`}, drawn at {view.cells.length} places
        </span>
      </div>
      <div className="keyspace-body">
        {view.kind === 'ring' ? <Ring cells={view.cells} /> : <Strip cells={view.cells} />}
        <table className="keyspace-shares">
          <thead>
            <tr>
              <th scope="col">Backend</th>
              <th scope="col">Key share</th>
              <th scope="col">Weight share</th>
            </tr>
          </thead>
          <tbody>
            {view.backends.map((b, i) => (
              <tr key={b.backend} data-testid="keyspace-share">
                <td>
                  <span className="swatch" style={{ background: seriesColor(i) }} /> <span className="mono">{b.backend}</span>
                  {!b.available && <span className="bad small"> (down: its keys walk on)</span>}
                </td>
                <td className="num">{pct(b.share)}</td>
                <td className="num">{pct(b.weight / totalWeight)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {last ? (
        <p data-testid="keys-moved">
          Last change ({last.before.length} → {last.after.length} backends): <strong>{pct(last.moved)}</strong> of {last.keys.toLocaleString('en')} sampled keys moved; the least possible is{' '}
          <strong>{pct(last.ideal)}</strong>.
        </p>
      ) : (
        <p className="small muted">Add or remove a backend, or change a weight: the share of keys that moved shows here, next to the ideal.</p>
      )}
    </section>
  );
}

/** Consecutive cells with the same owner, as [start, length, owner]. */
function runs(cells: readonly number[]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  cells.forEach((owner, i) => {
    const last = out[out.length - 1];
    if (last && last[2] === owner) last[1]++;
    else out.push([i, 1, owner]);
  });
  return out;
}

function Ring({ cells }: { cells: readonly number[] }) {
  const size = 180;
  const c = size / 2;
  const [r0, r1] = [52, 84];
  const at = (frac: number, r: number) => [c + r * Math.sin(frac * 2 * Math.PI), c - r * Math.cos(frac * 2 * Math.PI)];
  return (
    <svg width={size} height={size} viewBox={`0 0 ${size} ${size}`} role="img" aria-label="Ring: the owner of each part of the key space" data-testid="keyspace-ring">
      {runs(cells).map(([start, len, owner]) => {
        const a = start / cells.length;
        const b = (start + len) / cells.length;
        const large = b - a > 0.5 ? 1 : 0;
        const [x0, y0] = at(a, r1);
        const [x1, y1] = at(b, r1);
        const [x2, y2] = at(b, r0);
        const [x3, y3] = at(a, r0);
        const d = `M${x0},${y0} A${r1},${r1} 0 ${large} 1 ${x1},${y1} L${x2},${y2} A${r0},${r0} 0 ${large} 0 ${x3},${y3} Z`;
        return <path key={start} d={d} fill={owner < 0 ? '#888' : seriesColor(owner)} />;
      })}
      <text x={c} y={c + 4} textAnchor="middle" className="small" fill="currentColor">
        0 … 2³²
      </text>
    </svg>
  );
}

function Strip({ cells }: { cells: readonly number[] }) {
  const width = 360;
  const w = width / cells.length;
  return (
    <svg width={width} height={40} viewBox={`0 0 ${width} 40`} role="img" aria-label="Maglev table: the owner of each slot" data-testid="keyspace-strip">
      {runs(cells).map(([start, len, owner]) => (
        <rect key={start} x={start * w} y={0} width={len * w} height={40} fill={owner < 0 ? '#888' : seriesColor(owner)} />
      ))}
    </svg>
  );
}
