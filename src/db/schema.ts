// Every table, for Drizzle's relational queries and the migrator. Domain table files register here.
export * from '../associations/associations.table.js';
export * from '../members/members.table.js';
export * from '../committees/committees.table.js';
export * from '../audit/audit.table.js';
export * from '../outbox/outbox.table.js';
export * from '../ratings/ratings.table.js';
export * from '../suggestions/suggestions.table.js';
export * from '../clients/clients.table.js';
export * from '../webhooks/webhooks.table.js';
export * from '../data-access/data-access.table.js';
export * from '../policies/policies.table.js';
export * from '../self-regulation/self-regulation.table.js';
export * from '../statistics/statistics.table.js';
export * from '../early-reports/early-reports.table.js';
export * from '../training/training.table.js';
export * from '../exports/exports.table.js';
