/**
 * `npm run rbac [-- --namespace=NS --service-account=NAME]`: the Kubernetes RBAC the worker
 * needs for the services in the config file (TOURNIQUET_CONFIG), as YAML on stdout.
 */
import YAML from 'yaml';
import { DEFAULT_RBAC, rbacManifests } from '../common/rbac';
import { ConfigError, loadConfig } from '../config';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

try {
  const config = loadConfig();
  const manifests = rbacManifests(config.services.entries, {
    namespace: arg('namespace') ?? DEFAULT_RBAC.namespace,
    serviceAccount: arg('service-account') ?? DEFAULT_RBAC.serviceAccount,
  });
  if (manifests.length === 1)
    process.stderr.write('No service in the catalogue has Kubernetes targets: only the ServiceAccount.\n');
  process.stdout.write(manifests.map((m) => YAML.stringify(m)).join('---\n'));
} catch (err) {
  process.stderr.write(
    `${err instanceof ConfigError ? 'Configuration error' : 'Failed'}: ${(err as Error).message}\n`,
  );
  process.exit(1);
}
