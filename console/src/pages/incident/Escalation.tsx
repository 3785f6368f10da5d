import { type Incident } from '../../api';
import { Section, StatusBadge, when } from '../../ui';

export function Escalation({ i }: { i: Incident }) {
  if (!i.milestones) return null;
  return (
    <Section title="Milestones and escalation" id="escalation">
      <table>
        <tbody>
          {i.milestones.map((m) => (
            <tr>
              <td>{m.name}</td>
              <td>{when(m.due_at)}</td>
              <td>
                <StatusBadge status={m.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Policy <code>{i.escalation?.policy}</code>
        {i.escalation?.active
          ? `: escalating, level ${(i.escalation.level ?? 0) + 1}, next at ${when(i.escalation.next_at)}`
          : ': not escalating'}
        {i.escalation?.awaiting_ack ? `; waiting for ${i.escalation.awaiting_ack} to take the handoff` : ''}
      </p>
      {i.pages?.length ? (
        <ul>
          {i.pages.map((pg) => (
            <li>
              {when(pg.sent_at)} — {pg.kind} {pg.to} ({pg.via})
              {pg.delivered_at ? ' ✓ delivered' : pg.error ? ` ✗ ${pg.error}` : ' … sending'}
            </li>
          ))}
          {i.pages_omitted ? <li>…and {i.pages_omitted} earlier pages (on the timeline)</li> : null}
        </ul>
      ) : null}
    </Section>
  );
}
