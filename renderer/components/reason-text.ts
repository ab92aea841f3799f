/**
 * A strategy's reason for a pick (core/strategies/reason.ts) in words, one
 * line for a table row; the tables behind them are shown by ReasonDetail.
 */
import type { Decision } from '../../core/contract';

type Reason = NonNullable<Decision['reason']>;

const n = (x: number, digits = 2) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));

export function reasonText(r: Reason | null): string {
  if (!r) return 'no backend available';
  switch (r.kind) {
    case 'round-robin':
      return `position ${r.position} of ${r.of} in the round`;
    case 'weighted-round-robin': {
      const rows = r.table.filter((t) => t.inRound);
      return `current weight + weight: ${rows.map((t) => `${t.backend} ${n(t.before + t.weight)}`).join(', ')}; the largest wins and pays ${n(r.total)}`;
    }
    case 'least-connections':
      return `${r.candidates.map((c) => `${c.backend} (${c.inFlight}${c.failures > 0 ? ` + ${n(c.failures, 1)} failed` : ''})/${c.weight} = ${n(c.load)}`).join(', ')}; least ${n(r.least)}${r.tied > 1 ? `, ${r.tied} tied take turns` : ''}`;
    case 'power-of-two':
      return `drew ${r.candidates.map((c) => `${c.backend} (load ${n(c.score)})`).join(' and ')}; the lower wins`;
    case 'peak-ewma':
      return `drew ${r.candidates.map((c) => `${c.backend} (${n(c.latencyMs ?? 0, 1)} ms × ${c.inFlight + 1} = ${n(c.score, 1)})`).join(' and ')}; the lower wins`;
    case 'ring-hash':
    case 'maglev':
      return `key ${r.key} → hash ${r.hash.toString(16).padStart(8, '0')} → ${r.kind === 'maglev' ? `slot ${r.slot}` : 'ring'} → ${r.owner}${r.walked > 0 ? ` (walked ${r.walked} past down or tried owners)` : ''}`;
    case 'random':
      return `draw ${n(r.draw)} of total weight ${n(r.total)}`;
    case 'only':
      return 'the only backend that could take it';
  }
}

/** A retry's line: what failed before it. */
export function retryText(d: Decision): string | null {
  return d.after ? `retry after ${d.after.backend}: ${d.after.outcome}` : null;
}
