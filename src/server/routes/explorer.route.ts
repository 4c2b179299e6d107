// The GraphQL explorer (Ruru): its page, shown at GET /graphql to browsers, and its static assets, only while
// introspection is on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ruruHTML } from 'ruru/server';
import { getStaticFile } from 'ruru/static';

export const RURU_STATIC = '/ruru-static/';

export function explorerPage(): string {
  return ruruHTML({ endpoint: '/graphql', staticPath: RURU_STATIC });
}

/** Serves a Ruru asset under RURU_STATIC; false when there is no such file. */
export async function serveExplorerAsset(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const file = await getStaticFile({ staticPath: RURU_STATIC, urlPath: url.pathname, acceptEncoding: req.headers['accept-encoding'], disallowDevAssets: true });
  if (!file) return false;
  res.writeHead(200, file.headers);
  res.end(file.content);
  return true;
}
