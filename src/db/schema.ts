// Every table, for Drizzle's relational queries and the migrator. Domain table files register here.
export * from '../members/members.table.js';
export * from '../committees/committees.table.js';
export * from '../audit/audit.table.js';
export * from '../outbox/outbox.table.js';
