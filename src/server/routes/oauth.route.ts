// POST /oauth/token: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for service accounts, errors as in §5.2.
import type { IncomingMessage } from 'node:http';
import type { IssuerKeys } from '../../auth/keys.js';
import { signAccessToken } from '../../auth/tokens.js';
import { authenticateClient, SERVICE_ACCOUNT_SUBJECT } from '../../clients/clients.service.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { chargeBudget } from '../../rate-limit/charge.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { ipPrincipal } from '../context.js';
import { readBody, sendJson, type Route } from '../http.js';

/** A token request is small; anything larger is refused before it is buffered. */
export const TOKEN_REQUEST_BODY_LIMIT = 8 * 1024;
/** Budget points one token request costs its client IP: scrypt makes each attempt expensive, so guessing is throttled. */
export const TOKEN_REQUEST_COST = 100;

export interface TokenRequest {
  method: string;
  contentType: string | undefined;
  authorization: string | undefined;
  /** Rejects with an error carrying `status: 413` when the body is over the limit. */
  readBody(limit: number): Promise<string>;
  /** Rate-limit principal of the caller (its IP). */
  principal: string;
}

export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface TokenEndpointDeps {
  db: Db;
  config: Config;
  logger: Logger;
  issuerKeys: IssuerKeys;
  limiter?: RateLimiter;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): TokenResponse {
  return { status, headers: { ...NO_STORE, ...headers }, body: { error, error_description: description } };
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded before Basic encoding. */
function decodeBasic(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: decode(text.slice(0, colon)), clientSecret: decode(text.slice(colon + 1)) };
  } catch {
    return null;
  }
}

export async function handleTokenRequest(request: TokenRequest, deps: TokenEndpointDeps): Promise<TokenResponse> {
  if (request.method !== 'POST') {
    return oauthError(405, 'invalid_request', 'Use POST', { allow: 'POST' });
  }
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.contentType ?? '')) {
    return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  let text: string;
  try {
    text = await request.readBody(TOKEN_REQUEST_BODY_LIMIT);
  } catch (error) {
    if ((error as { status?: number }).status === 413) return oauthError(413, 'invalid_request', 'Request body is too large');
    throw error;
  }
  const params = new URLSearchParams(text);
  for (const name of new Set(params.keys())) {
    if (params.getAll(name).length > 1) return oauthError(400, 'invalid_request', `Parameter ${name} is repeated`);
  }
  const grantType = params.get('grant_type');
  if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', 'Only the client_credentials grant is supported');
  }

  const usedBasic = request.authorization !== undefined;
  const challenge = { 'www-authenticate': 'Basic realm="member-graph", charset="UTF-8"' };
  let credentials: { clientId: string; clientSecret: string } | null;
  if (usedBasic) {
    if (params.has('client_secret')) return oauthError(400, 'invalid_request', 'Use one client authentication method, not two');
    credentials = decodeBasic(request.authorization!);
    if (!credentials) return oauthError(401, 'invalid_client', 'Client authentication failed', challenge);
    const bodyId = params.get('client_id');
    if (bodyId !== null && bodyId !== credentials.clientId) return oauthError(400, 'invalid_request', 'client_id does not match the Authorization header');
  } else {
    const clientId = params.get('client_id');
    const clientSecret = params.get('client_secret');
    if (!clientId || !clientSecret) return oauthError(400, 'invalid_request', 'client_id and client_secret are required');
    credentials = { clientId, clientSecret };
  }

  const charge = await chargeBudget(deps.limiter, request.principal, TOKEN_REQUEST_COST, 'cap');
  if (typeof charge === 'object' && !charge.allowed) {
    return oauthError(429, 'rate_limited', 'Too many token requests; retry later', { 'retry-after': String(charge.retryAfterSeconds) });
  }

  const account = await authenticateClient(deps.db, credentials.clientId, credentials.clientSecret);
  if (!account) {
    deps.logger.info({ clientId: credentials.clientId.slice(0, 40) }, 'token request refused: invalid client');
    return oauthError(401, 'invalid_client', 'Client authentication failed', usedBasic ? challenge : {});
  }

  let scopes = account.scopes;
  const requested = params.get('scope')?.trim();
  if (requested) {
    const asked = [...new Set(requested.split(' ').filter(Boolean))];
    const unknown = asked.filter((s) => !account.scopes.includes(s));
    if (unknown.length > 0) return oauthError(400, 'invalid_scope', `Scopes not granted to this client: ${unknown.join(' ')}`);
    scopes = asked;
  }
  const expiresIn = Math.min(deps.config.OAUTH_TOKEN_TTL_SECONDS, 3600);
  const accessToken = await signAccessToken(
    deps.issuerKeys,
    { issuer: deps.config.AUTH_ISSUER, audience: deps.config.AUTH_AUDIENCE },
    { sub: `${SERVICE_ACCOUNT_SUBJECT}${account.clientId}`, role: account.role as 'association' | 'regulator', scope: scopes.join(' '), sid: account.secretId },
    expiresIn,
  );
  deps.logger.info({ clientId: account.clientId, role: account.role }, 'issued a service account token');
  return {
    status: 200,
    headers: NO_STORE,
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') },
  };
}

/** The route: the request as handleTokenRequest reads it (the caller's IP pays), its answer as JSON with CORS. */
export function tokenRoute(deps: TokenEndpointDeps): Route {
  const { config, logger } = deps;
  return async (req: IncomingMessage, res, _url, requestId, cors) => {
    const out = await handleTokenRequest(
      {
        method: (req.method ?? 'GET').toUpperCase(),
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        readBody: (limit) => readBody(req, Math.min(limit, config.BODY_LIMIT_BYTES)),
        principal: ipPrincipal(req, config.TRUST_PROXY_HOPS),
      },
      { ...deps, logger: logger.child({ requestId }) },
    );
    sendJson(res, out.status, out.body, { ...out.headers, ...cors });
  };
}
