/**
 * A team ticket per incident (seed 004's SEV4 "team ticket") through GitHub's Issues REST API
 * (docs.github.com/rest/issues): the incident's label is looked up first and an issue is
 * opened only when none carries it, so a retry after a lost reply finds the first one.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Notification } from '../domain/notification';

export interface TicketNotifier {
  name: string;
  url?: string;
  repo?: string;
  token?: string;
}

interface Issue {
  number: number;
  html_url: string;
}

export async function openTicket(n: TicketNotifier, note: Notification): Promise<Issue> {
  const issues = `${(n.url ?? 'https://api.github.com').replace(/\/$/, '')}/repos/${n.repo}/issues`;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${n.token}`,
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
  };
  const label = `incident:${note.incident.id}`;
  const found = await call<Issue[]>(n, `${issues}?state=all&labels=${encodeURIComponent(label)}`, {
    headers,
  });
  if (found.length) return found[0];
  const body = [
    `**${note.incident.severity} ${note.incident.id}**: ${note.what_broke}`,
    '',
    `Impact: ${note.impact}`,
    `Services: ${note.incident.affected_services.join(', ') || '—'}`,
    '',
    `Incident: ${note.links.incident}`,
  ].join('\n');
  return call<Issue>(n, issues, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      title: `[${note.incident.id}] ${note.incident.title}`,
      body,
      labels: ['tourniquet', label],
    }),
  });
}

async function call<T>(n: TicketNotifier, url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  // Refused (bad token, no such repository, invalid issue): retrying will not help.
  if ([401, 403, 404, 410, 422].includes(res.status))
    throw ApplicationFailure.nonRetryable(
      `${n.name} refused the ticket: HTTP ${res.status} ${text.slice(0, 200)}`,
      'NotifierRefused',
    );
  if (!res.ok) throw new Error(`${n.name} answered HTTP ${res.status}; retrying`);
  return JSON.parse(text) as T;
}
