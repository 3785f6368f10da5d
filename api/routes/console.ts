import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { ROLES } from '../../config/roles';
import { hasRole, principalOf } from '../auth';
import { type Route, route } from '../route';

const DIST = path.resolve(__dirname, '../../console/dist');
/** Paths the console never owns: the API, alert intake, probes, metrics. */
const NOT_CONSOLE = /^\/(api|v2|metrics|healthz|readyz)(\/|$)/;

/** Who the token belongs to: the console shows only what these roles allow. */
export function meRoutes({ temporalUiUrl }: { temporalUiUrl?: string }): Route[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me',
      auth: 'viewer',
      operationId: 'whoAmI',
      summary: "The token's identity and roles",
      handle: ({ req }) => {
        const p = principalOf(req);
        return {
          identity: p.identity,
          roles: ROLES.filter((r) => hasRole(p, r)),
          temporal_ui: temporalUiUrl ?? null,
        };
      },
    }),
  ];
}

/**
 * The console's built files (console/dist, made by `npm run build:console`, which
 * `npm install` runs). Any other GET outside the API gets index.html, so deep links work.
 */
export function consoleStatic(): Router {
  const router = Router();
  if (!existsSync(path.join(DIST, 'index.html'))) {
    router.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send('The console is not built: run `npm run build:console` (the API is at /api/v1).');
    });
    return router;
  }
  router.use(
    express.static(DIST, {
      index: 'index.html',
      maxAge: '1h',
      setHeaders: (res, file) => file.endsWith('index.html') && res.setHeader('cache-control', 'no-cache'),
    }),
  );
  router.get(/.*/, (req, res, next) =>
    NOT_CONSOLE.test(req.path)
      ? next()
      : res.sendFile(path.join(DIST, 'index.html'), { headers: { 'cache-control': 'no-cache' } }),
  );
  return router;
}
