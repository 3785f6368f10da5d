/** The benchmarks' callers: an admin, a second person to approve, the Alertmanager secret. */
export const BENCH_TOKEN = 'bench-admin-token';
/** A second person: whoever starts a run cannot approve its steps. */
export const BENCH_APPROVER_TOKEN = 'bench-approver-token';
export const BENCH_AM_SECRET = 'bench-alertmanager-secret';
