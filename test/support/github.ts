/**
 * GitHub's Issues REST API as far as ticket notifiers use it, on loopback, built from its
 * documentation (docs.github.com/rest/issues): list a repository's issues filtered by labels,
 * create one. It checks the token and the documented headers, and can lose its replies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHub {
  url: string;
  issues: { number: number; title: string; body: string; labels: string[] }[];
  /** Create requests still to answer 502 after creating the issue (a reply lost on the way). */
  loseReplies: number;
  close(): Promise<void>;
}

export async function startGitHub(repo: string, token: string): Promise<FakeGitHub> {
  const gh: Partial<FakeGitHub> = { issues: [], loseReplies: 0 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      if (req.headers.accept !== 'application/vnd.github+json' || !req.headers['x-github-api-version'])
        return send(415, { message: 'Unsupported media type' });
      const url = new URL(req.url ?? '/', 'http://github');
      if (url.pathname !== `/repos/${repo}/issues`) return send(404, { message: 'Not Found' });
      const view = (i: FakeGitHub['issues'][number]) => ({
        number: i.number,
        html_url: `https://github.example/${repo}/issues/${i.number}`,
        title: i.title,
        body: i.body,
        labels: i.labels.map((name) => ({ name })),
        state: 'open',
      });
      if (req.method === 'GET') {
        const want = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        return send(200, gh.issues!.filter((i) => want.every((l) => i.labels.includes(l))).map(view));
      }
      const body = JSON.parse(raw) as { title?: string; body?: string; labels?: string[] };
      if (!body.title)
        return send(422, {
          message: 'Validation Failed',
          errors: [{ field: 'title', code: 'missing_field' }],
        });
      const issue = {
        number: gh.issues!.length + 1,
        title: body.title,
        body: body.body ?? '',
        labels: body.labels ?? [],
      };
      gh.issues!.push(issue);
      if (gh.loseReplies! > 0) {
        gh.loseReplies!--;
        return send(502, { message: 'Server Error' });
      }
      return send(201, view(issue));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gh.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gh.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return gh as FakeGitHub;
}
