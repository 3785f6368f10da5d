/**
 * First-run bootstrap: with no tokens configured, generate one admin token, keep only its
 * hash under the data dir, and print it once (as Jupyter does), so the quick start works.
 */
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TokenEntry } from '.';

export interface Bootstrap {
  entry: TokenEntry;
  /** Set only when the token was generated just now: show it once. */
  newToken?: string;
  file: string;
}

export function bootstrapAdminToken(dataDir: string): Bootstrap {
  const file = path.join(dataDir, 'admin-token.json');
  if (existsSync(file)) {
    const { token_sha256, identity } = JSON.parse(readFileSync(file, 'utf8')) as {
      token_sha256: string;
      identity: string;
    };
    return { entry: { token_sha256, identity, roles: ['admin'] }, file };
  }
  const token = `tq_${randomBytes(24).toString('base64url')}`;
  const token_sha256 = createHash('sha256').update(token).digest('hex');
  writeFileSync(file, JSON.stringify({ identity: 'admin', token_sha256 }, null, 2) + '\n', { mode: 0o600 });
  return { entry: { token_sha256, identity: 'admin', roles: ['admin'] }, newToken: token, file };
}
