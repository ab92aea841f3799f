/** The main area: the selected service's header, strategy, backends, charts and the event log. */
import { useApp } from '../store/context';
import { selectSelectedService } from '../store/selectors';
import { ServiceCharts } from '../charts/ServiceCharts';
import { AddBackendForm } from './AddBackendForm';
import { BackendsTable } from './BackendsTable';
import { EventLog } from './EventLog';
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
      </header>
      <StrategyPicker key={service.name} service={service} />
      <section className="panel" aria-labelledby="backends-title">
        <h3 id="backends-title">Backends</h3>
        <BackendsTable service={service} />
        <AddBackendForm key={service.name} service={service} />
      </section>
      <ServiceCharts service={service} />
      <EventLog service={service.name} />
    </main>
  );
}
