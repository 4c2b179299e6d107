// The one place that decides which rows a viewer may see. Loaders, lists and counts all derive their filters from here.
import type { Viewer } from './viewer.js';
import { isStaff } from './viewer.js';

/**
 * A row scope: every row, the rows of some organizations, or none.
 * Loaders and lists turn it into SQL, so hidden rows are never fetched.
 */
export type OrgScope = { kind: 'all' } | { kind: 'orgs'; organizationIds: number[] } | { kind: 'none' };

const all: OrgScope = { kind: 'all' };
const none: OrgScope = { kind: 'none' };
const own = (v: Viewer): OrgScope =>
  v.organizationId === null ? none : { kind: 'orgs', organizationIds: [v.organizationId] };

/** Organization contacts: the organization itself, the association and the regulator. */
export function contactScope(viewer: Viewer): OrgScope {
  if (isStaff(viewer)) return all;
  if (viewer.role === 'FIRM' || viewer.role === 'LISTED_COMPANY') return own(viewer);
  return none;
}

/** The directory (organizations, branches, committees, seats) is public. */
export function directoryScope(_viewer: Viewer): OrgScope {
  return all;
}

export function scopeAllows(scope: OrgScope, organizationId: number): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'none') return false;
  return scope.organizationIds.includes(organizationId);
}
