// GET /healthz (the process answers) and GET /readyz (the database is migrated and reachable, and no shutdown began).
import type { Database } from '../../db/client.js';
import { sendJson, type Route } from '../http.js';

export const healthRoute: Route = (_req, res) => sendJson(res, 200, { status: 'ok' });

export function readinessRoute(database: Database, shuttingDown: () => boolean): Route {
  return async (_req, res) => {
    const ready = !shuttingDown() && (await database.isReady());
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
  };
}
