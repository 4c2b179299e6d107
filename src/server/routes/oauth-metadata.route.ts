// GET /.well-known/oauth-authorization-server: the built-in issuer's metadata (RFC 8414), so client libraries find the
// token endpoint, the key set and what they support without reading our docs.
import type { IncomingMessage } from 'node:http';
import { serviceAccountScopes } from '../../clients/scopes.js';
import type { Config } from '../../config.js';
import { sendJson, type Route } from '../http.js';

/**
 * The origin clients reached this server at: the Host header, and the scheme a trusted proxy reports
 * (X-Forwarded-Proto, only with TRUST_PROXY_HOPS > 0), else http. Endpoints in the metadata are absolute (RFC 8414 §2).
 */
function originOf(req: IncomingMessage, config: Config): string {
  const forwarded = config.TRUST_PROXY_HOPS > 0 ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : '';
  const scheme = forwarded === 'https' ? 'https' : 'http';
  const host = /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(req.headers.host ?? '') ? req.headers.host! : `localhost:${config.PORT}`;
  return `${scheme}://${host}`;
}

export function oauthMetadataRoute(config: Config): Route {
  return (req, res, _url, _requestId, cors) => {
    const origin = originOf(req, config);
    sendJson(
      res,
      200,
      {
        // As tokens carry it in `iss` (AUTH_ISSUER): verify tokens against this value.
        issuer: config.AUTH_ISSUER,
        token_endpoint: `${origin}/oauth/token`,
        jwks_uri: `${origin}/.well-known/jwks.json`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: [...serviceAccountScopes],
        // No authorization endpoint: machine clients only (RFC 8414 requires the member; it is empty).
        response_types_supported: [],
        service_documentation: `${origin}/graphql`,
      },
      { 'cache-control': 'public, max-age=300', ...cors },
    );
  };
}
