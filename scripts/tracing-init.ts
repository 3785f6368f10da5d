/**
 * The first import of scripts/start.ts: tracing (common/tracing.ts) must be on before
 * express and node:http load, so their requests get spans.
 */
import { startTracing } from '../common/tracing';

const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
startTracing(only ? `tourniquet-${only}` : 'tourniquet');
