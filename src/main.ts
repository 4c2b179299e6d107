// Composition root: config, logger, the listening port, database, issuer keys, HTTP app. Nothing else is constructed here.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadOrCreateIssuerKeys } from './auth/keys.js';
import { createTokenVerifier } from './auth/tokens.js';
import { prepareDatabase } from './bootstrap.js';
import { requestStatementLogger } from './db/instrumentation.js';
import { ConfigError, loadConfig } from './config.js';
import { schema } from './graphql/schema.js';
import { createLogger } from './logger.js';
import { createApp, createHttpServer } from './server/app.js';
import { startWebhookWorker } from './webhooks/webhooks.worker.js';
import { startExportWorker } from './exports/exports.worker.js';
import { purgeDataAccessLog } from './data-access/data-access.service.js';
import { startMetricsServer } from './server/metrics.js';
import { tracingFromConfig } from './tracing.js';

/** Start-up failures an operator can fix: one line on stderr, exit 1, no stack. */
class StartupError extends Error {}

// A reader of stdout/stderr that went away (EPIPE) must not crash the process or its shutdown: the logger stops writing
// (src/logger.ts, stdoutDestination); these listeners keep a failed write on either stream from becoming an exception.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

/** Binds the port before anything slow (migrations, demo data): a busy port is one clear line at once. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.removeListener('listening', onListening);
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} is already in use on ${host} (another member-graph, or another program): stop it or set PORT`));
      else if (error.code === 'EACCES') reject(new StartupError(`not allowed to listen on ${where}: choose a PORT above 1023 or run with the right to bind it`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new StartupError(`cannot listen on ${where}: HOST is not an address of this machine`));
      else reject(error);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

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
  // Tracing only with an OTLP endpoint (docs/OPERATIONS.md, "Tracing"); otherwise undefined and nothing of it is built.
  const tracing = tracingFromConfig(config);
  if (tracing) logger.info({ serviceName: config.OTEL_SERVICE_NAME, sampler: config.OTEL_TRACES_SAMPLER }, 'tracing on: spans exported over OTLP/HTTP');
  // Until the app is ready the server answers 503 "starting" (/healthz 200); the CLIs wait for /readyz (scripts/client.ts).
  const server = createHttpServer(config);
  await listen(server, config.PORT, config.HOST);
  const issuerKeys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  const verifier = createTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    jwksUrl: config.AUTH_JWKS_URL,
    keys: issuerKeys,
  });
  // The embedded database takes the DATA_DIR lock here: a second process on the same directory stops with one line.
  const database = await prepareDatabase(config, logger, {
    ...(config.LOG_STATEMENT_COUNTS ? { statementLogger: requestStatementLogger } : {}),
    ...(tracing ? { statementObserver: tracing } : {}),
  });
  const app = await createApp({
    config,
    logger,
    database,
    schema,
    verifier,
    issuerKeys: config.AUTH_JWKS_URL ? undefined : issuerKeys,
    server,
    tracing,
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
        onAttempt: (outcome) => app.metrics.observeDelivery(outcome),
        tracing,
      })
    : undefined;
  // Bulk exports (docs/EXPORTS.md): jobs queued here or on another instance, and running ones whose instance went away.
  const exportWorker = config.EXPORT_WORKER
    ? startExportWorker({ db: database.db, logger, pollIntervalMs: config.EXPORT_POLL_INTERVAL_MS, maxRows: config.EXPORT_MAX_ROWS })
    : undefined;
  // The read audit is kept DATA_ACCESS_RETENTION_DAYS (at least six months); older entries go once a day.
  const purgeAccessLog = () =>
    purgeDataAccessLog(database.db, config.DATA_ACCESS_RETENTION_DAYS).then(
      (deleted) => deleted > 0 && logger.info({ deleted, retentionDays: config.DATA_ACCESS_RETENTION_DAYS }, 'purged old read-audit entries'),
      (error) => logger.warn({ err: error }, 'purging old read-audit entries failed; retrying tomorrow'),
    );
  const purgeTimer = setInterval(purgeAccessLog, 24 * 3600 * 1000).unref();
  void purgeAccessLog();
  // Prometheus metrics on their own listener (METRICS_PORT, loopback by default); a failure there never stops the API.
  const metricsServer =
    config.METRICS_PORT === undefined ? undefined : await startMetricsServer(app.metrics, { port: config.METRICS_PORT, host: config.METRICS_HOST, logger });
  if (metricsServer?.listening) logger.info({ port: (metricsServer.address() as AddressInfo).port, host: config.METRICS_HOST }, 'metrics at /metrics');
  // The bound port, not the configured one: PORT=0 picks a free port (tests read it from this line).
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, driver: database.driver }, `member-graph listening on http://localhost:${port}/graphql`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const signalledAt = Date.now();
    // The deadline first, before anything that could wait (a log line included), and it exits before it logs: the
    // process is gone SHUTDOWN_TIMEOUT_MS after the signal whatever else hangs (the database closing, stdout).
    setTimeout(() => {
      process.exitCode = 1;
      try {
        logger.error({ signal }, 'shutdown deadline passed: exiting');
      } finally {
        process.exit(1);
      }
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    clearInterval(purgeTimer);
    metricsServer?.close();
    logger.info({ signal, drainMs: config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutting down: readiness 503, finishing in-flight requests');
    // The workers stop polling at once; webhook attempts in flight finish and are recorded, and an export being written
    // is handed back at its next batch (another instance resumes it), before the database closes.
    app
      .shutdown({ alsoFinish: Promise.all([webhookWorker?.stop(), exportWorker?.stop()]) })
      // The spans still batched are flushed in what is left of the deadline (less a margin to exit in).
      .then(async (result) => {
        await tracing?.shutdown(config.SHUTDOWN_TIMEOUT_MS - (Date.now() - signalledAt) - 100);
        return result;
      })
      .then(
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
  // One line, no stack: a busy port, a DATA_DIR another process holds (DataDirLockedError), a database that refuses.
  process.stderr.write(`member-graph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
