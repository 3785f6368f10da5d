import { can } from '../../api';
import { HEALTH } from '../../../../domain/record';
import { ErrorNote, Section, useAction } from '../../ui';
import { type Part, api } from './part';

export function Services(p: Part) {
  const act = useAction();
  const responder = can(p.me, 'responder');
  return (
    <Section title="Affected services" id="services">
      <ul>
        {p.i.affected_services.map((s) => {
          const h = p.i.service_health?.[s];
          return (
            <li>
              <strong>{s}</strong>{' '}
              {h ? (
                <span class={`badge health-${h.health}`}>{h.health.replace(/_/g, ' ')}</span>
              ) : (
                <span class="badge">unknown</span>
              )}
              {h?.note ? <small> — {h.note}</small> : null}
              {responder && p.i.status !== 'closed' ? (
                <select
                  aria-label={`Health of ${s}`}
                  value={h?.health ?? ''}
                  onChange={(e) =>
                    act.run(
                      () => api(p, 'PUT', `/services/${s}/health`, { health: e.currentTarget.value }),
                      p.reload,
                    )
                  }
                >
                  <option value="" disabled>
                    set health…
                  </option>
                  {HEALTH.map((x) => (
                    <option value={x}>{x.replace(/_/g, ' ')}</option>
                  ))}
                </select>
              ) : null}
            </li>
          );
        })}
      </ul>
      <ErrorNote error={act.error} />
    </Section>
  );
}
