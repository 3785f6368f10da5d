import type { DevServer } from '../../worker/dev-server';
import type { K8sPlane } from './k8s-plane';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as any).__temporal as DevServer | undefined;
  const k8s = (globalThis as any).__k8s as K8sPlane | undefined;
  await Promise.all([server?.stop(), k8s?.stop()]);
}
