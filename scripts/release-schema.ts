// npm run schema:release: makes the current printed schema (schema/schema.graphql) the released one that CI compares
// against (schema/released.graphql), after the release's changes are in docs/SCHEMA-CHANGES.md's changelog.
import { copyFileSync, readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

const root = new URL('../', import.meta.url);
const current = new URL('schema/schema.graphql', root);
const released = new URL('schema/released.graphql', root);
const before = buildSchema(readFileSync(released, 'utf8'));
const after = buildSchema(readFileSync(current, 'utf8'));
const breaking = findBreakingChanges(before, after);
const dangerous = findDangerousChanges(before, after);
copyFileSync(current, released);
console.log(`schema/released.graphql is now the current schema (${breaking.length} breaking and ${dangerous.length} dangerous changes since the last release)`);
