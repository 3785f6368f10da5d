import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError, call, type Incident } from '../api';
import { CreateIncidentRequest } from '../../../api/schemas';
import { SEVERITIES, SEVERITY_LABELS } from '../../../domain/severity';
import { ErrorNote, useForm } from '../ui';

/** The seed's CreateIncidentRequest as a form, validated by the API's own zod schema. */
export function CreateIncident({ token }: { token: string }) {
  const { route } = useLocation();
  const { form, bind } = useForm({
    title: '',
    description: '',
    severity: 'SEV2',
    affected_services: '',
    assignee: '',
    related_alerts: '',
  });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const relatedAlerts = form.related_alerts
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    const body = {
      title: form.title,
      description: form.description,
      severity: form.severity,
      affected_services: form.affected_services
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      ...(form.assignee.trim() ? { assignee: form.assignee.trim() } : {}),
      ...(relatedAlerts.length ? { related_alerts: relatedAlerts } : {}),
    };
    const checked = CreateIncidentRequest.safeParse(body);
    if (!checked.success) {
      setFields(Object.fromEntries(checked.error.issues.map((i) => [String(i.path[0]), i.message])));
      return;
    }
    setFields({});
    try {
      const created = await call<Incident>(token, 'POST', '/api/v1/incidents', body);
      route(`/incidents/${created.id}`);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError)
        setFields(Object.fromEntries(err.fields.map((f) => [f.path.split('.')[0], f.message])));
    }
  };
  const invalid = (name: string) =>
    fields[name] ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {};
  const hint = (name: string) =>
    fields[name] ? (
      <small id={`${name}-error`} class="field-error">
        {fields[name]}
      </small>
    ) : null;

  return (
    <main class="container narrow">
      <h2>Declare an incident</h2>
      <form onSubmit={submit} noValidate aria-label="Declare an incident">
        <label>
          Title
          <input name="title" {...bind('title')} {...invalid('title')} />
          {hint('title')}
        </label>
        <label>
          Description
          <textarea name="description" {...bind('description')} {...invalid('description')} />
          {hint('description')}
        </label>
        <label>
          Severity
          <select name="severity" {...bind('severity')}>
            {SEVERITIES.map((s) => (
              <option value={s}>
                {s} — {SEVERITY_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Affected services <small>(comma-separated)</small>
          <input name="affected_services" {...bind('affected_services')} {...invalid('affected_services')} />
          {hint('affected_services')}
        </label>
        <label>
          Assignee <small>(optional)</small>
          <input name="assignee" {...bind('assignee')} {...invalid('assignee')} />
          {hint('assignee')}
        </label>
        <label>
          Related alerts <small>(optional; one per line: an alert id, fingerprint or link)</small>
          <textarea
            name="related_alerts"
            rows={2}
            {...bind('related_alerts')}
            {...invalid('related_alerts')}
          />
          {hint('related_alerts')}
        </label>
        <ErrorNote error={error} />
        <button type="submit">Declare</button>
      </form>
    </main>
  );
}
