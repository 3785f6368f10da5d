/**
 * Preloaded once per worker and shared by every workflow it caches (worker/bundle.ts): the
 * runbook SDK and zod under it hold no workflow's state, and evaluated per workflow they cost
 * about 2 MB each (a worker with 5,000 open incidents held 3.3 GB).
 *
 * The SDK freezes shared modules, and zod sets a few globals on first use (its default
 * locale, whether eval is allowed): set them here, before the freeze.
 */
import { z } from 'zod';
import './runbook-sdk';

z.config(z.locales.en());
z.object({ n: z.coerce.number().int(), s: z.string().min(1).optional() }).safeParse({ n: '1' });
