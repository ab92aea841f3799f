/**
 * Chooses a service's strategy from what the core offers (`strategies:list`)
 * and edits the chosen strategy's parameters. Strategies that only make
 * sense per HTTP request (not `layer4`) are not offered for TCP services.
 */
import { useState } from 'react';
import type { ErrorData, ServiceView, StrategyInfo } from '../../core/contract';
import type { StrategyParam } from '../../core/strategies/types';
import { useActions, useApp } from '../store/context';
import { selectStrategies } from '../store/selectors';
import { CommitInput } from './CommitInput';
import { CommitSelect } from './CommitSelect';
import { ErrorLines } from './ErrorLines';

export function StrategyPicker({ service }: { service: ServiceView }) {
  const strategies = useApp(selectStrategies);
  const actions = useActions();
  const [error, setError] = useState<ErrorData | null>(null);
  // Parameters edited but not accepted yet (hashOn "header" needs a key too):
  // kept here so the next edit builds on them rather than on the saved options.
  const [draft, setDraft] = useState<Record<string, unknown> | null>(null);
  const options = draft ?? service.strategyOptions;
  const current = strategies.find((s) => s.name === service.strategy);
  const offered = strategies.filter((s: StrategyInfo) => service.protocol === 'http' || s.layer4 || s.name === service.strategy);

  async function set(strategy: string, next: Record<string, unknown>): Promise<boolean> {
    setDraft(strategy === service.strategy ? next : null);
    const res = await actions.setStrategy(service.name, strategy, next);
    setError(res.ok ? null : res.error);
    if (res.ok) setDraft(null);
    return res.ok;
  }

  return (
    <section className="strategy">
      <div className="strategy-row">
        <label htmlFor="strategy-select">Strategy</label>
        {/* Applied on commit: arrowing through the list does not apply every strategy on the way (./CommitSelect). */}
        <CommitSelect id="strategy-select" value={service.strategy} onCommit={(v) => set(v, {})} hintTestId="strategy-draft-hint">
          {!current && <option value={service.strategy}>{service.strategy}</option>}
          {offered.map((s) => (
            <option key={s.name} value={s.name} title={s.description}>
              {s.label}
            </option>
          ))}
        </CommitSelect>
        {current?.params.map((p) => (
          <ParamInput
            key={`${service.name}:${service.strategy}:${p.name}`}
            param={p}
            value={options[p.name]}
            onCommit={(v) => {
              const next = { ...options };
              if (v === undefined) delete next[p.name];
              else next[p.name] = v;
              void set(service.strategy, next);
            }}
          />
        ))}
      </div>
      {current && (
        <p className="strategy-description" title={current.whenToUse} data-testid="strategy-description">
          {current.description}
        </p>
      )}
      {error && <ErrorLines error={error} />}
      {offered.length > 0 && (
        <details className="strategy-compare">
          <summary>Compare strategies</summary>
          <dl>
            {offered.map((s) => (
              <div key={s.name}>
                <dt>{s.label}</dt>
                <dd>
                  {s.description} <span className="muted">{s.whenToUse}</span>
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </section>
  );
}

function ParamInput({ param, value, onCommit }: { param: StrategyParam; value: unknown; onCommit(v: string | number | undefined): void }) {
  const id = `param-${param.name}`;
  const shown = value === undefined ? (param.default ?? '') : String(value);
  return (
    <span className="param" title={param.description}>
      <label htmlFor={id}>{param.label}</label>
      {param.type === 'enum' ? (
        <CommitSelect id={id} value={String(shown)} onCommit={(v) => onCommit(v)}>
          {(param.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </CommitSelect>
      ) : (
        <CommitInput
          id={id}
          type={param.type === 'number' ? 'number' : 'text'}
          className={param.type === 'number' ? 'narrow' : undefined}
          value={String(shown)}
          validate={(d) => (param.type === 'number' && d !== '' && !Number.isFinite(Number(d)) ? 'must be a number' : undefined)}
          onCommit={(d) => onCommit(d === '' ? undefined : param.type === 'number' ? Number(d) : d)}
        />
      )}
    </span>
  );
}
