// The schema change policy (docs/SCHEMA-CHANGES.md), enforced: against the last released schema, no breaking change
// unless announced at least 90 days ahead and due; every dangerous change listed in the changelog; every deprecation
// naming its replacement's removal date.
import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.js';
import { todayInShanghai } from '../src/time.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const released = buildSchema(read('schema/released.graphql'));
const announced = JSON.parse(read('schema/announced-breaking-changes.json')) as { change: string; announcedOn: string; removalOn: string }[];
const changelog = read('docs/SCHEMA-CHANGES.md');
const DAY = 86_400_000;

describe('schema changes against the last release (schema/released.graphql)', () => {
  it('has no breaking change that was not announced at least 90 days ahead and is due', () => {
    const today = todayInShanghai();
    const unannounced = findBreakingChanges(released, schema)
      .map((c) => c.description)
      .filter((description) => {
        const entry = announced.find((a) => a.change === description);
        return !entry || Date.parse(entry.removalOn) - Date.parse(entry.announcedOn) < 90 * DAY || entry.removalOn > today;
      });
    expect(unannounced, 'breaking changes need a deprecation announced 3 months ahead (docs/SCHEMA-CHANGES.md)').toEqual([]);
  });

  it('lists every dangerous change in the changelog', () => {
    const missing = findDangerousChanges(released, schema)
      .map((c) => c.description)
      .filter((description) => !changelog.includes(description));
    expect(missing, 'add these to docs/SCHEMA-CHANGES.md, "Changelog"').toEqual([]);
  });

  it('every announcement is well formed: dates, and removal at least 90 days after the announcement', () => {
    for (const a of announced) {
      expect(a.announcedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(a.removalOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Date.parse(a.removalOn) - Date.parse(a.announcedOn)).toBeGreaterThanOrEqual(90 * DAY);
    }
  });

  it('every deprecation names its removal date', () => {
    const reasons: [string, string][] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.deprecationReason) reasons.push([`${type.name}.${field.name}`, field.deprecationReason]);
          for (const arg of 'args' in field ? field.args : []) if (arg.deprecationReason) reasons.push([`${type.name}.${field.name}(${arg.name})`, arg.deprecationReason]);
        }
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (value.deprecationReason) reasons.push([`${type.name}.${value.name}`, value.deprecationReason]);
    }
    for (const [where, reason] of reasons) expect(reason, where).toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('the check sees a breaking change: a field of the release renamed is reported as removed', () => {
    const renamed = buildSchema(read('schema/released.graphql').replace(/^(\s*)creditCode: String!$/m, '$1creditCodeRenamed: String!'));
    expect(findBreakingChanges(released, renamed).map((c) => c.type)).toContain('FIELD_REMOVED');
  });
});
