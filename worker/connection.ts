import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * Connection options for an external Temporal cluster: address from TEMPORAL_ADDRESS, and
 * TLS / API key from the SDK's environment configuration (TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE and the temporal.toml config file), as the Temporal CLI reads them.
 */
export function clusterConnectionOptions(address: string): NativeConnectionOptions {
  const { connectionOptions } = loadClientConnectConfig();
  return { ...connectionOptions, address };
}
