/**
 * What a backend's share of traffic is read against, per strategy. The core
 * sends one `expectedShare` per backend (weight over the tier's weights, or
 * an even split when the strategy ignores weights), which is the right
 * yardstick only for strategies that split by a fixed rule. Strategies that
 * follow load or latency, or send each key to its own backend, have no fixed
 * share: next to them "7.8% / 25%" reads like a fault when it is the strategy
 * working. So the page says which baseline it shows, or that there is none.
 */
import type { StrategyInfo } from '../../core/contract';

export type BaselineKind = 'even' | 'weight' | 'load' | 'latency' | 'key';

export interface Baseline {
  kind: BaselineKind;
  /** Whether the core's expected share means something here (shown next to the share). */
  fixed: boolean;
  /** Short words for the column header and chart caption: "even split", "follows load". */
  words: string;
  /** One sentence for a tooltip: what the figure is read against, and why. */
  help: string;
}

/** Strategies whose split follows something other than a fixed rule, by name. */
const DYNAMIC: Record<string, BaselineKind> = {
  'least-connections': 'load',
  'power-of-two': 'load',
  'peak-ewma': 'latency',
  'ring-hash': 'key',
  maglev: 'key',
};

const BASELINES: Record<BaselineKind, Omit<Baseline, 'kind'>> = {
  even: {
    fixed: true,
    words: 'even split',
    help: 'Share over the last 10 s, against an even split among the available backends (this strategy ignores weights).',
  },
  weight: {
    fixed: true,
    words: 'by weight',
    help: 'Share over the last 10 s, against the split the weights imply among the available backends.',
  },
  load: {
    fixed: false,
    words: 'follows load',
    help: 'Share over the last 10 s. No fixed expectation: this strategy sends each request where fewer are in flight (per unit of weight), so the split follows how busy each backend is.',
  },
  latency: {
    fixed: false,
    words: 'follows latency',
    help: 'Share over the last 10 s. No fixed expectation: this strategy prefers the backend answering fastest, so a slow backend gets less, by design.',
  },
  key: {
    fixed: false,
    words: 'by key',
    help: 'Share over the last 10 s. No fixed share: each key (client, header or cookie) goes to its own backend, so the split depends on the keys in the traffic.',
  },
};

/** The baseline for a service's strategy; a strategy not named here is read by its `weighted` flag. */
export function baselineOf(strategy: string, info?: StrategyInfo): Baseline {
  const kind: BaselineKind = DYNAMIC[strategy] ?? (info?.weighted === false || strategy === 'round-robin' ? 'even' : 'weight');
  return { kind, ...BASELINES[kind] };
}
