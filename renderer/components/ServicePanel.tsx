/**
 * The main area: the selected service's header (with the lab's buttons),
 * its strategy and its health, retry and timeout settings (folded), then
 * tabs: Traffic (backends and charts), Load (the load generator), Drills,
 * Decisions (why each pick was made, the key space, the access log) and Compare.
 * The load run's strip sits above the tabs while a run goes, and the event
 * log below them, whatever the tab.
 */
import { useApp } from '../store/context';
import { selectSelectedService } from '../store/selectors';
import { ServiceCharts } from '../charts/ServiceCharts';
import { AccessLogView } from './AccessLogView';
import { AddBackendForm } from './AddBackendForm';
import { DecisionsView } from './DecisionsView';
import { KeyspaceView } from './KeyspaceView';
import { BackendsTable } from './BackendsTable';
import { DrillsPanel } from './DrillsPanel';
import { EventLog } from './EventLog';
import { AddDemoButton, HealAllButton } from './LabButtons';
import { LoadPanel } from './LoadPanel';
import { LoadStrip } from './LoadStrip';
import { ServiceSettings } from './ServiceSettings';
import { ServiceTabs, TabPanel } from './ServiceTabs';
import { ComparePanel } from './ComparePanel';
import { StrategyPicker } from './StrategyPicker';

export function ServicePanel() {
  const service = useApp(selectSelectedService);
  const loaded = useApp((s) => s.loaded);
  const count = useApp((s) => s.services.length);
  const loadError = useApp((s) => s.loadError);

  if (!service) {
    return (
      <main className="main">
        <div className="welcome">
          {loadError ? (
            <p className="bad">Could not load the services: {loadError.message}</p>
          ) : !loaded ? (
            <p className="muted">Loading…</p>
          ) : count === 0 ? (
            <div data-testid="empty-workspace">
              <h2>Add a service</h2>
              <p>
                A service is a port the balancer listens on. Give it a name and an address such as <code>127.0.0.1:8080</code> in the form on the
                left, then add the backends it should spread requests over.
              </p>
              <p className="muted">Or open a workspace file with the bar at the top.</p>
            </div>
          ) : (
            <p>Select a service on the left.</p>
          )}
        </div>
        <EventLog service={null} />
      </main>
    );
  }

  return (
    <main className="main" aria-label={`Service ${service.name}`}>
      <header className="service-header">
        <h2>
          {service.name} <span className="tag">{service.protocol}</span>
        </h2>
        <span className="mono small">
          {service.address ? (
            <>
              listening on <strong>{service.address}</strong>
            </>
          ) : (
            <span className="bad">not listening ({service.listen})</span>
          )}
        </span>
        <span className="header-actions">
          <AddDemoButton service={service} />
          <HealAllButton />
        </span>
      </header>
      <StrategyPicker key={service.name} service={service} />
      <ServiceSettings key={`settings-${service.name}`} service={service} />
      <ServiceTabs>
        {(tab) => (
          <>
            <LoadStrip />
            <TabPanel id="traffic" tab={tab}>
              <section className="panel" aria-labelledby="backends-title">
                <h3 id="backends-title">Backends</h3>
                <BackendsTable service={service} />
                <AddBackendForm key={service.name} service={service} />
              </section>
              {tab === 'traffic' && <ServiceCharts key={service.name} service={service} />}
            </TabPanel>
            <TabPanel id="decisions" tab={tab}>
              {/* Drawn only while shown: the access log and decisions change every tick. */}
              {tab === 'decisions' && (
                <>
                  <DecisionsView key={service.name} service={service} active />
                  <KeyspaceView key={`keys-${service.name}`} service={service} active />
                  <AccessLogView key={`access-${service.name}`} service={service} />
                </>
              )}
            </TabPanel>
            <TabPanel id="load" tab={tab}>
              <LoadPanel active={tab === 'load'} />
            </TabPanel>
            <TabPanel id="drills" tab={tab}>
              <DrillsPanel service={service} active={tab === 'drills'} />
            </TabPanel>
            <TabPanel id="compare" tab={tab}>
              <ComparePanel active={tab === 'compare'} />
            </TabPanel>
          </>
        )}
      </ServiceTabs>
      <EventLog service={service.name} />
    </main>
  );
}
