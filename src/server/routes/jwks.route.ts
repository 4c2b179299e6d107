// GET /.well-known/jwks.json: the built-in issuer's public keys (during a rotation, the old one too).
import type { IssuerKeys } from '../../auth/keys.js';
import { sendJson, type Route } from '../http.js';

export function jwksRoute(keys: IssuerKeys): Route {
  return (_req, res, _url, _requestId, cors) =>
    sendJson(res, 200, { keys: keys.verificationJwks ?? [keys.publicJwk] }, { 'cache-control': 'public, max-age=300', ...cors });
}
