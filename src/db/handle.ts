// The handle types every layer above the driver sees: a database or a transaction on it, never the driver itself.
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
/** Service functions take either handle: they join the caller's transaction when given one (see runInTransaction). */
export type DbOrTx = Db | Tx;
