/**
 * The tabs under a service's header: Traffic (backends and charts), Load
 * and Drills. Every panel stays mounted so forms keep what was typed when
 * switching; a hidden panel skips its charts. Arrow keys, Home and End move
 * between tabs (the WAI-ARIA tabs pattern).
 */
import type { KeyboardEvent, ReactNode } from 'react';
import { useApp } from '../store/context';
import { selectDrillRun, selectLoadRun, selectServiceTab } from '../store/selectors';
import type { ServiceTab } from '../store/ui-slice';

const TABS: Array<[ServiceTab, string]> = [
  ['traffic', 'Traffic'],
  ['load', 'Load'],
  ['drills', 'Drills'],
  ['decisions', 'Decisions'],
  ['compare', 'Compare'],
];

export function ServiceTabs({ children }: { children: (tab: ServiceTab) => ReactNode }) {
  const tab = useApp(selectServiceTab);
  const setTab = useApp((s) => s.setServiceTab);
  const loadRunning = useApp((s) => selectLoadRun(s).state !== 'idle');
  const drillRunning = useApp((s) => {
    const run = selectDrillRun(s);
    return run !== null && run.result === null;
  });
  const live: Partial<Record<ServiceTab, boolean>> = { load: loadRunning, drills: drillRunning };

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>) {
    const i = TABS.findIndex(([t]) => t === tab);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const [id] = TABS[next]!;
    setTab(id);
    document.getElementById(`tab-${id}`)?.focus();
  }

  return (
    <>
      <div className="tabs" role="tablist" aria-label="Service views">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            data-testid={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`tabpanel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            className={tab === id ? 'tab selected' : 'tab'}
            onClick={() => setTab(id)}
            onKeyDown={onKeyDown}
          >
            {label}
            {live[id] && <span className="live-dot" title="running" aria-label="(running)" role="img" />}
          </button>
        ))}
      </div>
      {children(tab)}
    </>
  );
}

/** One tab's panel: mounted always, hidden unless selected. */
export function TabPanel({ id, tab, children }: { id: ServiceTab; tab: ServiceTab; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`tabpanel-${id}`} aria-labelledby={`tab-${id}`} hidden={tab !== id} className="tabpanel">
      {children}
    </div>
  );
}
