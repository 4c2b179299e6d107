// The GraphQL context of one HTTP request: its viewer (from the Authorization header), language, rate-limit
// principal, a request logger made on first use, and the complexity plugin's limits from config.
import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../auth/viewer.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Context, Locale } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import { allowListOf } from '../webhooks/webhooks.destination.js';
import { documentLimitsFromConfig } from './limits.js';

/**
 * The client's address. Behind `hops` trusted proxies (load balancers) it is the address the outermost trusted proxy
 * saw: the hops-th entry from the right of X-Forwarded-For. Entries further left are the client's own claim and are
 * never used; with no trusted proxy (the default) the header is ignored.
 */
export function clientAddress(req: IncomingMessage, hops: number): string | undefined {
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const chain = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
    const seen = chain[chain.length - hops];
    if (seen && /^[\da-fA-F.:]{2,45}$/.test(seen)) return seen;
  }
  return req.socket.remoteAddress;
}

/** The rate-limit principal of a caller without a token (anonymous GraphQL, token requests): its address. */
export function ipPrincipal(req: IncomingMessage, hops: number): string {
  return `ip:${clientAddress(req, hops) ?? 'unknown'}`;
}

/** English only when the client prefers it over Chinese; Chinese is the default. */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { tag: tag ?? '', q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.q > 0 && (l.tag.startsWith('en') || l.tag.startsWith('zh')))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh';
}

export interface RequestContextDeps {
  config: Config;
  logger: Logger;
  db: Db;
}

export type ContextFactory = (req: IncomingMessage, requestId: string, viewer: Viewer) => Context;

/**
 * Builds each request's context for its viewer (resolved by the caller from the Authorization header, after the body
 * was read: a request too large is 413 whatever its token); one factory per app, sharing one limits object.
 */
export function createContextFactory(deps: RequestContextDeps): ContextFactory {
  const { config, logger, db } = deps;
  const limits = documentLimitsFromConfig(config);
  const complexityLimit = { complexity: limits.maxComplexity, depth: limits.maxDepth };
  const webhookAllowedHosts = allowListOf(config.WEBHOOK_ALLOWED_HOSTS);
  return (req, requestId, viewer) => {
    let requestLogger: Logger | undefined;
    return {
      viewer,
      db,
      locale: localeFrom(req.headers['accept-language']),
      // Made when a resolver first logs: most requests log nothing of their own.
      get logger() {
        return (requestLogger ??= logger.child({ requestId }));
      },
      requestId,
      // Anonymous callers are charged by IP, everyone else by token subject.
      principal: viewer.role === 'ANONYMOUS' ? ipPrincipal(req, config.TRUST_PROXY_HOPS) : `sub:${viewer.subject}`,
      complexityLimit,
      webhookAllowedHosts,
      exportMaxActiveJobs: config.EXPORT_MAX_ACTIVE_JOBS,
    };
  };
}
