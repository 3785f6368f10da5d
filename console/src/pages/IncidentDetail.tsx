import { call, type Incident, type Me } from '../api';
import { ErrorNote, usePoll } from '../ui';
import { EngineBanner } from '../EngineBanner';
import { PendingApprovals } from './incident/Approvals';
import { Summary } from './incident/Summary';
import { Timeline } from './incident/Timeline';
import { Course } from './incident/Course';
import { Escalation } from './incident/Escalation';
import { Runbooks } from './incident/Runbooks';
import { Services } from './incident/Services';
import { Roles } from './incident/Roles';
import { Evidence } from './incident/Evidence';
import { Communication } from './incident/Communication';
import { ActionItems } from './incident/ActionItems';
import { Postmortem } from './incident/Postmortem';

type Props = { token: string; me: Me; id: string };

/** The seed's detail workspace: summary and actions, timeline, evidence, services, communication, action items. */
export function IncidentDetail({ token, me, id }: Props) {
  const {
    value: i,
    error,
    reload,
  } = usePoll(() => call<Incident>(token, 'GET', `/api/v1/incidents/${id}`), [id], 2000);
  if (!i)
    return (
      <main class="container">
        <EngineBanner token={token} incident={id} />
        {error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading {id}…</p>}
      </main>
    );
  const p = { token, me, i, reload };
  return (
    <main class="container">
      <header class="row">
        <h2>
          {i.id}: {i.title}
        </h2>
        {me.temporal_ui ? (
          <a href={`${me.temporal_ui}/workflows/${i.id}`} target="_blank" rel="noreferrer">
            Workflow in Temporal UI
          </a>
        ) : null}
      </header>
      <EngineBanner token={token} incident={id} />
      <ErrorNote error={error} />
      <PendingApprovals {...p} />
      <Summary {...p} />
      <Course {...p} />
      <div class="grid-2">
        <div>
          <Timeline {...p} />
          <Runbooks {...p} />
        </div>
        <div>
          <Escalation i={i} />
          <Roles {...p} />
          <Services {...p} />
          <Evidence {...p} />
          <Communication {...p} />
          <ActionItems {...p} />
          <Postmortem {...p} />
        </div>
      </div>
    </main>
  );
}
