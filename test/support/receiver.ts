/**
 * A loopback HTTP receiver standing in for a pager/chat webhook (a third-party SaaS we cannot
 * run): records every request with its arrival time; can answer 503 to simulate an outage.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: any;
}

export interface Receiver {
  url: string;
  /** Every request, including refused ones. */
  requests: Received[];
  /** Requests answered 2xx. */
  delivered(): Received[];
  /** While true, answers 503. */
  down: boolean;
  /** While set, answers this status (a receiver refusing what it is sent, e.g. 400). */
  refuseWith?: number;
  /** Answers after this many ms (a slow chat service). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const r: Partial<Receiver> = { requests, down: false, delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const status = r.down ? 503 : (r.refuseWith ?? 200);
      requests.push({ at: Date.now(), status, headers: req.headers, raw, body });
      setTimeout(() => res.writeHead(status).end(), r.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.delivered = () => requests.filter((x) => x.status < 300);
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r as Receiver;
}
