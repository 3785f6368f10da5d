/**
 * For scripts that start local services and keep them until Ctrl-C (`k8s:up`, `cluster:up`):
 * stops them on SIGINT or SIGTERM; a failure to start exits 1 with its message.
 */
export function untilStopped(start: () => Promise<{ stop(): Promise<void> }>): void {
  start().then(
    (running) => {
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    },
    (err: Error) => {
      console.error(err.message ?? err);
      process.exit(1);
    },
  );
}
