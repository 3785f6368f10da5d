/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on loopback whose webhook
 * receiver is the API under test, with short group timings so tests run in seconds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../worker/dev-server';
import { startDaemon } from './daemon';

export interface Alertmanager {
  url: string;
  /** POST /api/v2/alerts: fire (no endsAt) or resolve (endsAt in the past). */
  push(
    alerts: { labels: Record<string, string>; annotations?: Record<string, string>; resolved?: boolean }[],
  ): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/prometheus-alertmanager';

export async function startAlertmanager(o: {
  webhookUrl: string;
  token: string;
  groupBy: string[];
}): Promise<Alertmanager> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tourniquet-am-'));
  const port = await freePort();
  const config = `
route:
  receiver: tourniquet
  group_by: [${o.groupBy.map((l) => JSON.stringify(l)).join(', ')}]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: tourniquet
    webhook_configs:
      - url: ${JSON.stringify(o.webhookUrl)}
        send_resolved: true
        http_config:
          authorization:
            credentials: ${JSON.stringify(o.token)}
`;
  writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const url = `http://127.0.0.1:${port}`;
  const stop = await startDaemon({
    what: 'Alertmanager',
    binary: BINARY,
    args: [
      '--config.file',
      path.join(dir, 'alertmanager.yml'),
      '--storage.path',
      path.join(dir, 'data'),
      '--web.listen-address',
      `127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
    url,
    timeoutMs: 15_000,
  });

  return {
    url,
    async push(alerts) {
      const now = Date.now();
      const body = alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations ?? {},
        startsAt: new Date(now - 60_000).toISOString(),
        ...(a.resolved ? { endsAt: new Date(now - 1000).toISOString() } : {}),
      }));
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`Alertmanager refused alerts: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}
