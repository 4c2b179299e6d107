// npm run schema:print: writes the sorted SDL to schema/schema.graphql (a test fails when it is stale).
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../src/graphql/schema.js';
import { fromProjectRoot } from '../src/project-root.js';

writeFileSync(fromProjectRoot('schema', 'schema.graphql'), printSchema(schema));
console.log('wrote schema/schema.graphql');
