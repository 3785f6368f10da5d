import type { DevServer } from '../../worker/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as any).__temporal as DevServer | undefined;
  await server?.stop();
}
