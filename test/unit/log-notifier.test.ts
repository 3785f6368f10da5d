import { Writable } from 'node:stream';
import pino from 'pino';
import { createNotifyActivities } from '../../activities/notify';
import type { Notification } from '../../domain/notification';

test('the log notifier never writes signed acknowledge or approve/reject links', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const notify = createNotifyActivities({
    logger: pino({ level: 'info' }, sink),
    notifiers: [{ name: 'log', type: 'log' }],
    linkSecret: 'a-link-secret-of-enough-length',
  });
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
  await notify.deliverNotification({ notifier: 'log', notification });
  const logged = lines.join('');
  expect(logged).toContain('INC-1/ack/pia');
  expect(logged).not.toMatch(/ack-links|approval-links|acknowledge_url|approve_url|reject_url/);
});
