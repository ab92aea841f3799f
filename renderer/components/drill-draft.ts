/**
 * A drill as its editor holds it (strings, seconds, fault drafts) and its
 * conversion to a DrillSpec with the contract's DrillSchema, plus the one
 * sample drill offered to a new user.
 */
import { DrillSchema, type DrillSpec, type ServiceView } from '../../core/contract';
import type { DrillAction, DrillStep } from '../../core/drills/spec';
import type { AdminState, Protocol } from '../../core/model/spec';
import { checkFaults, draftOf, newFaultDraft, type FaultDraft } from './fault-draft';
import { issuesByPath, numberOf } from './issues';
import { mixOf, mixRow, msOf, type MixDraft } from './load-form';

export const DRILL_ACTIONS: ReadonlyArray<[DrillAction, string]> = [
  ['kill', 'kill'],
  ['revive', 'revive'],
  ['fault', 'inject faults'],
  ['heal', 'heal'],
  ['weight', 'set weight'],
  ['state', 'set state'],
];

export interface StepDraft {
  key: number;
  /** Seconds from the start of the load. */
  at: string;
  action: DrillAction;
  /** A backend name; '' for "all" (heal only). */
  backend: string;
  weight: string;
  state: AdminState;
  faults: FaultDraft[];
}

export interface DrillDraft {
  /** The name of the drill being edited, or null for a new one. */
  editing: string | null;
  name: string;
  description: string;
  service: string;
  /** Seconds. */
  duration: string;
  rate: string;
  mix: MixDraft[];
  restore: boolean;
  steps: StepDraft[];
}

let nextKey = 1;

export function stepDraft(action: DrillAction = 'kill', at = '5', backend = ''): StepDraft {
  return { key: nextKey++, at, action, backend, weight: '1', state: 'drain', faults: [newFaultDraft('error')] };
}

export function newDrillDraft(service: ServiceView | undefined): DrillDraft {
  const backend = service?.backends[0]?.name ?? '';
  return {
    editing: null,
    name: '',
    description: '',
    service: service?.name ?? '',
    duration: '30',
    rate: '100',
    mix: [mixRow()],
    restore: true,
    steps: [stepDraft('kill', '5', backend), stepDraft('revive', '15', backend)],
  };
}

function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

export function draftOfDrill(d: DrillSpec): DrillDraft {
  return {
    editing: d.name,
    name: d.name,
    description: d.description ?? '',
    service: d.service,
    duration: seconds(d.durationMs),
    rate: String(d.load.rate),
    mix: d.load.requests.map((r) => mixRow(r.method, r.path, String(r.weight))),
    restore: d.restore,
    steps: d.steps.map((s: DrillStep) => {
      const draft = stepDraft(s.action, seconds(s.atMs), s.backend ?? '');
      if (s.action === 'weight') draft.weight = String(s.weight);
      if (s.action === 'state') draft.state = s.state;
      if (s.action === 'fault') draft.faults = s.faults.map(draftOf);
      return draft;
    }),
  };
}

function stepOf(s: StepDraft, protocol: Protocol): Record<string, unknown> {
  const base: Record<string, unknown> = { action: s.action, atMs: msOf(s.at) };
  if (s.action !== 'heal' || s.backend !== '') base.backend = s.backend;
  switch (s.action) {
    case 'weight':
      return { ...base, weight: numberOf(s.weight) ?? NaN };
    case 'state':
      return { ...base, state: s.state };
    case 'fault':
      return { ...base, faults: checkFaults(s.faults, protocol).faults ?? [] };
    default:
      return base;
  }
}

export interface DrillCheck {
  drill?: DrillSpec;
  /** Problems keyed by path: `name`, `durationMs`, `steps.1.atMs`, `load.requests.0.path`. */
  errors: Record<string, string>;
  /** Each fault step's fault checks, by step key. */
  faultChecks: Map<number, ReturnType<typeof checkFaults>['checks']>;
}

export function checkDrill(draft: DrillDraft, protocol: Protocol): DrillCheck {
  const faultChecks = new Map<number, ReturnType<typeof checkFaults>['checks']>();
  let faultsOk = true;
  for (const s of draft.steps) {
    if (s.action !== 'fault') continue;
    const c = checkFaults(s.faults, protocol);
    faultChecks.set(s.key, c.checks);
    if (!c.faults) faultsOk = false;
  }
  const candidate = {
    name: draft.name.trim(),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    service: draft.service,
    durationMs: msOf(draft.duration),
    load: { rate: numberOf(draft.rate) ?? NaN, requests: mixOf(draft.mix) },
    steps: draft.steps.map((s) => stepOf(s, protocol)),
    restore: draft.restore,
  };
  const parsed = DrillSchema.safeParse(candidate);
  const errors = parsed.success ? {} : issuesByPath(parsed.error.issues);
  // A fault step whose faults are invalid sends none; its rows show why, so the schema's "too small" is noise.
  for (const s of draft.steps) {
    const i = draft.steps.indexOf(s);
    if (s.action === 'fault' && faultChecks.get(s.key)?.some((c) => !c.fault)) delete errors[`steps.${i}.faults`];
  }
  if (!parsed.success || !faultsOk) return { errors, faultChecks };
  return { drill: parsed.data, errors, faultChecks };
}

export const SAMPLE_DRILL_NAME = 'Kill one backend under load';

/** The sample drill for a service: kill its second backend at 5 s, revive it at 15 s, for 25 s at 100 req/s, GET:POST 3:1. */
export function sampleDrill(service: ServiceView): DrillSpec | undefined {
  const victim = service.backends[1];
  if (!victim) return undefined;
  return DrillSchema.parse({
    name: SAMPLE_DRILL_NAME,
    description: `Kills ${victim.name} at 5 s and revives it at 15 s, under 100 req/s of GET and POST (3:1). Clean means no GET failed and no POST ran twice.`,
    service: service.name,
    durationMs: 25_000,
    load: {
      rate: 100,
      requests: [
        { method: 'GET', path: '/', weight: 3 },
        { method: 'POST', path: '/', weight: 1 },
      ],
    },
    steps: [
      { action: 'kill', atMs: 5_000, backend: victim.name },
      { action: 'revive', atMs: 15_000, backend: victim.name },
    ],
  });
}
