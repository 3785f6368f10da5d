import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createNotifyActivities } from '../../activities/notify';
import type { Notification } from '../../domain/notification';

const SIGNED = /ack-links|approval-links|acknowledge_url|approve_url|reject_url/;

const notification: Notification = {
  idempotency_key: 'INC-1/ack/pia',
  kind: 'page',
  to: 'pia',
  reason: 'acknowledge overdue',
  due_at: '2026-11-29T10:00:00.000Z',
  sent_at: '2026-11-29T10:00:00.000Z',
  incident: {
    id: 'INC-1',
    title: 't',
    severity: 'SEV1',
    status: 'open',
    affected_services: [],
    created_at: '2026-11-29T09:00:00.000Z',
  },
  what_broke: 'x',
  impact: 'y',
  verify: [],
  try_first: 'z',
  who_to_call: 'w',
  links: {
    incident: 'http://127.0.0.1:3000/incidents/INC-1',
    acknowledge: 'http://127.0.0.1:3000/api/v1/incidents/INC-1/acknowledge',
  },
  approvals: [
    {
      run_id: 'r',
      approval_id: 'a',
      title: 't',
      what: 'w',
      impact: 'high',
      expires_at: '2026-11-30T00:00:00.000Z',
    },
  ],
};

test('signed links reach only a webhook addressed to the person paged: never a log line or a chat channel', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const bodies = new Map<string, string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => (bodies.set(req.url!, body), res.end('ok')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const notify = createNotifyActivities({
      logger: pino({ level: 'info' }, sink),
      notifiers: [
        { name: 'log', type: 'log' },
        { name: 'chat', type: 'slack', url: `${base}/slack` },
        { name: 'pager', type: 'webhook', url: `${base}/pager` },
      ],
      linkSecret: 'a-link-secret-of-enough-length',
    });
    for (const notifier of ['log', 'chat', 'pager'])
      await notify.deliverNotification({ notifier, notification });
    expect(lines.join('')).toContain('INC-1/ack/pia');
    expect(lines.join('')).not.toMatch(SIGNED);
    expect(bodies.get('/slack')).toContain('INC-1');
    expect(bodies.get('/slack')).not.toMatch(SIGNED);
    expect(bodies.get('/pager')).toMatch(/ack-links/);
  } finally {
    server.close();
  }
});

test('approval links only for people who hold the approver role, never for a typed name', async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => (bodies.push(body), res.end('ok')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const notify = createNotifyActivities({
      logger: pino({ level: 'silent' }),
      notifiers: [
        {
          name: 'pager',
          type: 'webhook',
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        },
      ],
      linkSecret: 'a-link-secret-of-enough-length',
      approvers: new Set(['alice']),
    });
    await notify.deliverNotification({ notifier: 'pager', notification }); // to pia, a typed assignee
    await notify.deliverNotification({ notifier: 'pager', notification: { ...notification, to: 'alice' } });
    const [pia, alice] = bodies.map((b) => JSON.parse(b));
    expect(pia.approvals[0].approve_url).toBeUndefined();
    expect(pia.links.acknowledge_url).toMatch(/ack-links/); // acknowledging is hers to do
    expect(alice.approvals[0].approve_url).toMatch(/approval-links/);
  } finally {
    server.close();
  }
});
