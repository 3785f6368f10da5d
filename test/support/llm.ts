/**
 * An AI service on loopback for llm-provider-failover: two providers speaking the OpenAI
 * chat completions shape (POST /v1/chat/completions, GET /v1/models — the documented
 * request and response bodies), each settable to answer, fail (500 with OpenAI's error body)
 * or hang; and the app, whose pods read their provider from a ConfigMap key when they start:
 * it re-reads the key whenever its Deployment's pod template is restarted, as env from a
 * ConfigMap does. Its /healthz completes a one-token chat through the provider it uses.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kube } from './kube';

export type ProviderMode = 'ok' | 'failing' | 'hanging';

export interface Provider {
  url: string;
  mode: ProviderMode;
  /** Chat completions answered. */
  completions: number;
  close: () => Promise<void>;
}

const listen = async (server: Server) => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const closing = (server: Server) => () =>
  new Promise<void>((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });

export async function startProvider(name: string, mode: ProviderMode): Promise<Provider> {
  const answer = (url: string | undefined): [number, unknown] | undefined => {
    if (p.mode === 'hanging') return undefined; // never answers: a timeout for every caller
    if (p.mode === 'failing')
      return [500, { error: { message: 'The server had an error', type: 'server_error', code: null } }];
    if (url === '/v1/models')
      return [200, { object: 'list', data: [{ id: `${name}-model`, object: 'model' }] }];
    p.completions++;
    return [
      200,
      {
        id: `chatcmpl-${p.completions}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: `${name}-model`,
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    ];
  };
  const server = createServer((req, res) => {
    req.resume();
    const a = answer(req.url);
    if (!a) return;
    res.writeHead(a[0], { 'content-type': 'application/json' }).end(JSON.stringify(a[1]));
  });
  const p: Provider = { url: await listen(server), mode, completions: 0, close: closing(server) };
  return p;
}

export interface AiApp {
  healthUrl: string;
  /** The provider the app's pods use now. */
  provider(): string | undefined;
  close: () => Promise<void>;
}

export async function startAiApp(o: {
  kube: Kube;
  namespace: string;
  deployment: string;
  configMap: string;
  key: string;
  providers: Record<string, string>;
}): Promise<AiApp> {
  let provider: string | undefined;
  let started: string | undefined = 'never';
  // The "pods": when the template's restart stamp changes, read the ConfigMap as a new pod would.
  const tick = async () => {
    try {
      const d = await o.kube.apps.readNamespacedDeployment({ namespace: o.namespace, name: o.deployment });
      const stamp = d.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
      if (stamp === started) return;
      const cm = await o.kube.core.readNamespacedConfigMap({ namespace: o.namespace, name: o.configMap });
      provider = cm.data?.[o.key];
      started = stamp;
    } catch {
      // the API server is busy: the next tick reads again
    }
  };
  const watch = setInterval(() => void tick(), 200);
  const health = async (res: ServerResponse) => {
    const base =
      provider !== undefined && Object.hasOwn(o.providers, provider) ? o.providers[provider] : undefined;
    const ok = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }),
      signal: AbortSignal.timeout(1500),
    }).then(
      (r) => r.ok,
      () => false,
    );
    res.statusCode = base && ok ? 200 : 503;
    res.end(JSON.stringify({ provider, ok }));
  };
  const server = createServer((_req, res) => void health(res));
  const url = await listen(server);
  const close = closing(server);
  return {
    healthUrl: `${url}/healthz`,
    provider: () => provider,
    close: async () => {
      clearInterval(watch);
      await close();
    },
  };
}
