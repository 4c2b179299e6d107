// Composition root: config, logger, database, issuer keys, HTTP server. Nothing else is constructed here.
import type { AddressInfo } from 'node:net';
import { loadOrCreateIssuerKeys } from './auth/keys.js';
import { createTokenVerifier } from './auth/tokens.js';
import { prepareDatabase } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';
import { schema } from './graphql/schema.js';
import { createLogger } from './logger.js';
import { createApp } from './server/app.js';
import { startWebhookWorker } from './webhooks/webhooks.worker.js';
import { purgeDataAccessLog } from './data-access/data-access.service.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const issuerKeys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  const verifier = createTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    jwksUrl: config.AUTH_JWKS_URL,
    keys: issuerKeys,
  });
  const database = await prepareDatabase(config, logger);
  const app = await createApp({
    config,
    logger,
    database,
    schema,
    verifier,
    issuerKeys: config.AUTH_JWKS_URL ? undefined : issuerKeys,
  });
  const webhookWorker = config.WEBHOOK_WORKER
    ? startWebhookWorker({
        db: database.db,
        logger,
        pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
        retryBaseSeconds: config.WEBHOOK_RETRY_BASE_SECONDS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
      })
    : undefined;
  // The read audit is kept DATA_ACCESS_RETENTION_DAYS (at least six months); older entries go once a day.
  const purgeAccessLog = () =>
    purgeDataAccessLog(database.db, config.DATA_ACCESS_RETENTION_DAYS).then(
      (deleted) => deleted > 0 && logger.info({ deleted, retentionDays: config.DATA_ACCESS_RETENTION_DAYS }, 'purged old read-audit entries'),
      (error) => logger.warn({ err: error }, 'purging old read-audit entries failed; retrying tomorrow'),
    );
  const purgeTimer = setInterval(purgeAccessLog, 24 * 3600 * 1000).unref();
  void purgeAccessLog();
  app.server.listen(config.PORT, config.HOST, () => {
    // The bound port, not the configured one: PORT=0 picks a free port (tests read it from this line).
    const port = (app.server.address() as AddressInfo).port;
    logger.info({ port, driver: database.driver }, `member-graph listening on http://localhost:${port}/graphql`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(purgeTimer);
    logger.info({ signal }, 'shutting down: readiness 503, finishing in-flight requests');
    // Past the deadline the app has cut the connections left; if closing the database still hangs, leave anyway.
    setTimeout(() => {
      logger.error({ signal }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 1_000).unref();
    // The worker stops polling at once; its attempts in flight finish and are recorded before the database closes.
    app.shutdown({ alsoFinish: webhookWorker?.stop() }).then(
      ({ forced }) => {
        if (forced) logger.error({ signal }, 'shutdown deadline passed: in-flight requests were cut');
        else logger.info({ signal }, 'shut down cleanly');
        process.exit(forced ? 1 : 0);
      },
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`member-graph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
