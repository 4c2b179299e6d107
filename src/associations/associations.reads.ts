// The associations' reads: a handful of rows, public, through the plain query builder.
import { asc, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { associationsTable, type AssociationRow } from './associations.table.js';

export async function listAssociations(db: DbOrTx): Promise<AssociationRow[]> {
  return db.select().from(associationsTable).orderBy(asc(associationsTable.id));
}

export async function loadAssociationsByIds(db: DbOrTx, ids: readonly number[]): Promise<AssociationRow[]> {
  return db.select().from(associationsTable).where(inArray(associationsTable.id, [...ids]));
}
