/**
 * `npm run k8s:up`: the test suite's Kubernetes control plane, for trying runbooks locally.
 * Builds it the first time (several minutes), then starts it in seconds. Ctrl-C stops it.
 */
import { startK8sPlane } from '../test/support/k8s-plane';
import { untilStopped } from './until-stopped';

untilStopped(async () => {
  const plane = await startK8sPlane({ log: (m) => console.log(`[k8s] ${m}`) });
  console.log(`
Kubernetes API: ${plane.server}
kubeconfig:     ${plane.kubeconfig}

  export KUBECONFIG=${plane.kubeconfig}
  curl -k -H "Authorization: Bearer ${plane.token}" ${plane.server}/apis/apps/v1/deployments
  kubectl get nodes    # Debian's kubernetes-client is older than this server; the REST API is what counts

Nodes are simulated by kwok: pods get scheduled and become Ready without containers.
Press Ctrl-C to stop and delete everything.`);
  return plane;
});
