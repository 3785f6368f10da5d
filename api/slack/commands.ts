/**
 * `/incident …` and the buttons, as API operations: each becomes one route of the API's
 * table (by operationId) with its path parameters and body, so Slack goes through the same
 * roles, schemas and handlers as HTTP. Also how each answer reads in Slack.
 */
import type { Incident } from '../../domain/incident';
import type { IncidentView } from '../../domain/incident-view';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import { INCIDENT_ROLES, ROLE_LABEL } from '../../domain/roles';

/** A message for Slack (a command's answer, a response_url follow-up). */
export interface SlackMessage {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  replace_original?: boolean;
}

export interface SlackOperation {
  operationId: string;
  params: Record<string, string>;
  body?: unknown;
  /** How the handler's answer reads in Slack. */
  say(answer: unknown, identity: string): SlackMessage;
}

export const USAGE = [
  '`/incident declare [SEV1-4] [service=NAME …] TITLE` — declare an incident',
  '`/incident ack [INC-n]` — acknowledge',
  '`/incident status [INC-n]` — where it stands',
  '`/incident note [INC-n] TEXT` — add a note to the timeline',
  '`/incident runbook [INC-n] NAME [key=value …] [--dry-run]` — run a runbook',
  'In an incident channel the incident id may be left out.',
].join('\n');

const ephemeral = (text: string): SlackMessage => ({ response_type: 'ephemeral', text });
const inChannel = (text: string): SlackMessage => ({ response_type: 'in_channel', text });

/**
 * The operation `text` asks for, or a message saying why there is none. `channelIncident`:
 * the incident whose channel the command was typed in, if any.
 */
export function parseCommand(
  text: string,
  channelIncident: string | undefined,
  consoleUrl: string,
): SlackOperation | SlackMessage {
  const [verb = 'help', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  if (verb === 'help') return ephemeral(USAGE);
  if (verb === 'declare') return declare(rest, consoleUrl);
  const explicit =
    rest[0] && INCIDENT_ID_PATTERN.test(rest[0].toUpperCase()) ? rest.shift()!.toUpperCase() : undefined;
  const id = explicit ?? channelIncident;
  const known = ['ack', 'status', 'note', 'runbook'];
  if (!known.includes(verb)) return ephemeral(`Unknown command \`${verb}\`.\n${USAGE}`);
  if (!id) return ephemeral(`Which incident? Name it (\`/incident ${verb} INC-1001 …\`) or use its channel.`);
  const link = `<${consoleUrl}/incidents/${id}|${id}>`;
  switch (verb) {
    case 'ack':
      return {
        operationId: 'acknowledgeIncident',
        params: { id },
        body: {},
        say: (_a, who) => inChannel(`:white_check_mark: ${link} acknowledged by ${who}`),
      };
    case 'status':
      return {
        operationId: 'getIncident',
        params: { id },
        say: (a) => ephemeral(summary(a as IncidentView, link)),
      };
    case 'note':
      return {
        operationId: 'addNote',
        params: { id },
        body: { text: rest.join(' ') },
        say: () => ephemeral(`Note added to ${link}'s timeline`),
      };
    default:
      return runbook(id, link, rest);
  }
}

function declare(words: string[], consoleUrl: string): SlackOperation | SlackMessage {
  const severity =
    words[0] && /^(sev[1-4]|critical|high|medium|low)$/i.test(words[0]) ? words.shift()! : 'SEV3';
  const services: string[] = [];
  while (words[0]?.startsWith('service=')) services.push(words.shift()!.slice('service='.length));
  const title = words.join(' ');
  if (!title) return ephemeral(`A title is needed: \`/incident declare SEV2 Checkout errors\`.\n${USAGE}`);
  return {
    operationId: 'declareIncident',
    params: {},
    body: {
      title,
      description: 'Declared in Slack',
      severity: severity.toUpperCase(),
      affected_services: services,
    },
    say: (a, who) => {
      const i = a as Incident;
      return inChannel(
        `:rotating_light: <${consoleUrl}/incidents/${i.id}|${i.id}> declared by ${who}: ${i.severity} ${i.title}`,
      );
    },
  };
}

function runbook(id: string, link: string, words: string[]): SlackOperation | SlackMessage {
  const dryRun = words.includes('--dry-run');
  const [name, ...pairs] = words.filter((w) => w !== '--dry-run');
  if (!name)
    return ephemeral(
      'Which runbook? `/incident runbook INC-1001 rolling-restart namespace=shop deployment=cart`',
    );
  const bad = pairs.find((p) => !/^[^=]+=.*$/.test(p));
  if (bad) return ephemeral(`Parameters are key=value; \`${bad}\` is not`);
  const params = Object.fromEntries(
    pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
  return {
    operationId: 'startRunbook',
    params: { id },
    body: { name, params, ...(dryRun ? { dry_run: true } : {}) },
    say: (_a, who) =>
      inChannel(`:gear: ${who} started runbook *${name}*${dryRun ? ' (dry run)' : ''} on ${link}`),
  };
}

/** `/incident status`: severity, state, people, the next deadline and what waits for a human. */
function summary(i: IncidentView, link: string): string {
  const roles = INCIDENT_ROLES.flatMap((r) =>
    i.roles?.[r] ? [`${ROLE_LABEL[r]}: ${i.roles[r].person}`] : [],
  );
  const next = (i.milestones ?? [])
    .filter((m) => m.status === 'pending')
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))[0];
  const waiting = i.runbooks.flatMap((r) =>
    r.approvals.filter((a) => a.status === 'pending').map((a) => a.title),
  );
  return [
    `*${link}* ${i.severity} · ${i.status} · ${i.title}`,
    `Assignee: ${i.assignee ?? 'nobody'}${roles.length ? ` · ${roles.join(' · ')}` : ''}`,
    ...(next ? [`Next: ${next.name} due ${next.due_at}`] : []),
    ...(waiting.length ? [`Waiting for approval: ${waiting.join('; ')}`] : []),
    ...(i.status_updates?.length
      ? [`Last update: ${i.status_updates[i.status_updates.length - 1].message}`]
      : []),
  ].join('\n');
}
