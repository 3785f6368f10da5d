import { useState } from 'preact/hooks';
import { call } from '../api';
import type { IncidentRow } from '../../../domain/incident';
import { isActive, STATUSES } from '../../../domain/lifecycle';
import { SEVERITIES } from '../../../domain/severity';
import { EngineBanner } from '../EngineBanner';
import { Duration, ErrorNote, SeverityBadge, StatusBadge, usePoll, when } from '../ui';

type SortKey = 'id' | 'title' | 'severity' | 'status' | 'assignee' | 'duration' | 'created';
const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: 'id', label: 'ID' },
  { key: 'title', label: 'Title' },
  { key: 'severity', label: 'Severity' },
  { key: 'status', label: 'Status' },
  { key: 'assignee', label: 'Assignee' },
  { key: 'duration', label: 'Duration' },
  { key: null, label: 'Affected Services' },
  { key: 'created', label: 'Created' },
];

/** The seed's incident list: sortable columns, filters, active incidents first, live. */
export function IncidentList({ token }: { token: string }) {
  const [sort, setSort] = useState<{ key: SortKey; order: 'asc' | 'desc' }>({
    key: 'created',
    order: 'desc',
  });
  const [filters, setFilters] = useState({ status: '', severity: '', service: '', assignee: '' });
  const [activeFirst, setActiveFirst] = useState(true);
  const query = new URLSearchParams({
    sort: sort.key,
    order: sort.order,
    limit: '200',
    ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)),
  });
  const { value, error } = usePoll(
    () => call<{ incidents: IncidentRow[]; total: number }>(token, 'GET', `/api/v1/incidents?${query}`),
    [query.toString()],
  );
  const rows = value?.incidents ?? [];
  const shown = activeFirst
    ? [...rows.filter((r) => isActive(r.status)), ...rows.filter((r) => !isActive(r.status))]
    : rows;
  const toggle = (key: SortKey) =>
    setSort((s) => ({ key, order: s.key === key && s.order === 'desc' ? 'asc' : 'desc' }));
  const filter = (name: keyof typeof filters) => (e: Event) =>
    setFilters({ ...filters, [name]: (e.currentTarget as HTMLInputElement).value.trim() });

  return (
    <main class="container">
      <EngineBanner token={token} />
      <header class="row">
        <h2>Incidents {value ? <small>({value.total})</small> : null}</h2>
        <a href="/incidents/new" class="cta">
          Declare incident
        </a>
      </header>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <select aria-label="Status" value={filters.status} onChange={filter('status')}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <select aria-label="Severity" value={filters.severity} onChange={filter('severity')}>
          <option value="">Any severity</option>
          {SEVERITIES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <input
          aria-label="Service"
          placeholder="Service"
          value={filters.service}
          onChange={filter('service')}
        />
        <input
          aria-label="Assignee"
          placeholder="Assignee"
          value={filters.assignee}
          onChange={filter('assignee')}
        />
        <label class="inline">
          <input
            type="checkbox"
            role="switch"
            checked={activeFirst}
            onChange={(e) => setActiveFirst(e.currentTarget.checked)}
          />{' '}
          Active first
        </label>
      </form>
      <ErrorNote error={error} />
      <div class="overflow-auto" tabIndex={0}>
        <table class="striped" aria-label="Incidents">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  scope="col"
                  aria-sort={
                    c.key && sort.key === c.key
                      ? sort.order === 'asc'
                        ? 'ascending'
                        : 'descending'
                      : undefined
                  }
                >
                  {c.key ? (
                    <button class="sort" onClick={() => toggle(c.key!)}>
                      {c.label} {sort.key === c.key ? (sort.order === 'asc' ? '▲' : '▼') : ''}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr data-id={r.id}>
                <td>
                  <a href={`/incidents/${r.id}`}>{r.id}</a>
                </td>
                <td>{r.title}</td>
                <td>
                  <SeverityBadge severity={r.severity} />
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{r.assignee ?? '—'}</td>
                <td>
                  <Duration created={r.created_at} resolved={r.resolved_at} />
                </td>
                <td>{r.affected_services.join(', ')}</td>
                <td>{when(r.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {value && !rows.length ? <p>No incidents match.</p> : null}
    </main>
  );
}
