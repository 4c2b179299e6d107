// Scopes a service account may hold, and the one check of them.
import type { Viewer } from '../auth/viewer.js';

export const serviceAccountScopes = [
  'reports:read',
  'ratings:read',
  'suggestions:read',
  'webhooks:manage',
  'training:read',
  'training:write',
  'statistics:read',
  'early-reports:read',
  'discipline:read',
  'contacts:read',
  'documents:write',
] as const;
export type ServiceAccountScope = (typeof serviceAccountScopes)[number];

/**
 * Given when none are named: the read scopes of wave 1, not webhooks:manage. The scopes added since (training,
 * statistics, early reports, discipline, members' contacts, uploading its own trusted documents) are granted only when asked for, so an account made without naming scopes
 * does not start reading data it was never meant to.
 */
export const defaultServiceAccountScopes: readonly ServiceAccountScope[] = ['reports:read', 'ratings:read', 'suggestions:read'];

/**
 * Whether the viewer holds a scope. People (tokens without a service account) are bounded by their role alone,
 * so this is true for them; a service account needs the scope among its current ones.
 */
export function viewerHasScope(viewer: Viewer, scope: ServiceAccountScope): boolean {
  return !viewer.serviceAccount || viewer.serviceAccount.scopes.includes(scope);
}
