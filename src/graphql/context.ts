// What every resolver receives: the viewer, the database handle and the request's language.
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { DestinationAllowList } from '../webhooks/webhooks.destination.js';

export type Locale = 'zh' | 'en';

export interface Context {
  viewer: Viewer;
  db: DbOrTx;
  locale: Locale;
  logger: Logger;
  requestId: string;
  /** Who pays for this request's cost under the rate limits ("sub:…" or "ip:…"); absent for in-process execution. */
  principal?: string;
  /**
   * The complexity plugin's limits from config (cost, and depth counting meta fields; breadth is the validation rule's
   * alone, see src/graphql/builder.ts); the defaults of src/graphql/limits.ts when absent (in-process execution).
   */
  complexityLimit?: { complexity: number; depth: number };
  /** WEBHOOK_ALLOWED_HOSTS: internal webhook destinations the operator allows; none when absent (in-process execution). */
  webhookAllowedHosts?: DestinationAllowList;
  /** EXPORT_MAX_ACTIVE_JOBS; DEFAULT_MAX_ACTIVE_EXPORT_JOBS (src/exports) when absent (in-process execution). */
  exportMaxActiveJobs?: number;
}
