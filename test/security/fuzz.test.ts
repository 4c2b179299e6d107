// Every argument and input field of the schema, fuzzed: generated from the schema itself, so a field added tomorrow is
// covered without a line here. Each root field is called with hostile values of each argument's type (too long, control
// and direction characters, empty; out-of-range numbers; malformed IDs, dates and codes), as anonymous, a firm and
// association staff. Every answer is 200 or 400 with a documented code — never a 500 or INTERNAL_SERVER_ERROR — leaks
// nothing, and no mutation writes anything.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { expectNoLeak, fingerprint } from './support.js';
import { openStream } from '../support/sse.js';

let t: TestApp;
let tokens: Record<'anonymous' | 'firm' | 'association', string | undefined>;

beforeAll(async () => {
  t = await createTestApp();
  tokens = { anonymous: undefined, firm: await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM')), association: await t.token('association') };
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Variant = 'long' | 'hostile' | 'empty';
const VARIANTS: Variant[] = ['long', 'hostile', 'empty'];

/** A hostile value of a scalar type, per variant. */
function scalarValue(name: string, variant: Variant): unknown {
  switch (name) {
    case 'Int':
      return { long: 2_147_483_647, hostile: -1, empty: 0 }[variant];
    case 'Float':
      return { long: 1e308, hostile: -1e-300, empty: 0 }[variant];
    case 'Boolean':
      return variant !== 'empty';
    case 'ID':
      return { long: 'x'.repeat(12_000), hostile: 'U3VnZ2VzdGlvbjotMQ==\u0000', empty: '' }[variant];
    case 'Date':
    case 'DateTime':
      return { long: `2026-01-01${'0'.repeat(12_000)}`, hostile: '9999-99-99T25:61:61\u202E', empty: '' }[variant];
    default:
      // String and every custom text scalar: over every field's length limit, control and direction characters, empty.
      return { long: '长'.repeat(12_000), hostile: '证券\u0000\u0007\u202E\u200B\uD800', empty: '' }[variant];
  }
}

function valueOf(type: GraphQLInputType, variant: Variant, depth = 0): unknown {
  if (isNonNullType(type)) return valueOf(type.ofType, variant, depth);
  if (isListType(type)) return [valueOf(type.ofType, variant, depth)];
  if (isEnumType(type)) return type.getValues()[variant === 'empty' ? type.getValues().length - 1 : 0]!.name;
  if (isInputObjectType(type)) {
    if (depth > 4) return null;
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, valueOf(f.type, variant, depth + 1)]));
  }
  if (isScalarType(type)) return scalarValue(type.name, variant);
  return null;
}

function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const defs = field.args.map((a, i) => `$a${i}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a, i) => `${a.name}: $a${i}`).join(', ');
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
  return `${kind}${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
}

const ALLOWED_CODES = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'FORBIDDEN', 'UNAUTHENTICATED', 'NOT_FOUND', 'BAD_REQUEST', 'JSON_TOO_DEEP'];

async function fuzz(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
  const query = operationFor(kind, field);
  for (const variant of VARIANTS) {
    const variables = Object.fromEntries(field.args.map((a, i) => [`a${i}`, valueOf(a.type, variant)]));
    for (const [who, token] of Object.entries(tokens)) {
      const res = await t.gql(query, variables, { token });
      const context = `${field.name} (${variant}) as ${who}: ${res.status} ${res.text.slice(0, 300)}`;
      expect([200, 400], context).toContain(res.status);
      for (const error of res.body.errors ?? []) expect(ALLOWED_CODES, context).toContain(error.extensions?.code);
      expectNoLeak(res.text);
    }
  }
}

/**
 * A subscription, at /graphql/stream: refused (401 without a token) or an event stream whose events carry only
 * documented codes; a hostile argument never opens a stream on anything.
 */
async function fuzzStream(field: GraphQLField<unknown, unknown>) {
  const defs = field.args.map((a, i) => `$a${i}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a, i) => `${a.name}: $a${i}`).join(', ');
  const query = `subscription${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''} { __typename } }`;
  for (const variant of VARIANTS) {
    const variables = Object.fromEntries(field.args.map((a, i) => [`a${i}`, valueOf(a.type, variant)]));
    for (const [who, token] of Object.entries(tokens)) {
      const stream = await openStream(t, query, variables, { token });
      try {
        const events = stream.text === undefined ? await stream.rest() : [];
        const text = stream.text ?? JSON.stringify(events);
        const context = `${field.name} (${variant}) as ${who}: ${stream.status} ${text.slice(0, 300)}`;
        expect(token ? [200, 400] : [401], context).toContain(stream.status);
        if (stream.text !== undefined) {
          for (const error of JSON.parse(stream.text).errors ?? []) expect([...ALLOWED_CODES], context).toContain(error.extensions?.code);
        } else {
          expect(events.at(-1)?.event, context).toBe('complete');
          for (const m of events) for (const error of m.data?.errors ?? []) expect(ALLOWED_CODES, context).toContain(error.extensions?.code);
        }
        expectNoLeak(text);
      } finally {
        stream.close();
      }
    }
  }
}

const withArgs = (fields: Record<string, GraphQLField<unknown, unknown>>) => Object.values(fields).filter((f) => f.args.length > 0);
const queryFields = withArgs(schema.getQueryType()!.getFields());
const mutationFields = withArgs(schema.getMutationType()!.getFields());
const subscriptionFields = withArgs(schema.getSubscriptionType()!.getFields());

describe('fuzzing every argument of every root field', () => {
  it('covers the schema: every query and mutation that takes arguments', () => {
    expect(queryFields.length).toBeGreaterThan(10);
    expect(mutationFields.length).toBeGreaterThan(10);
  });

  it.for(queryFields.map((f) => [f.name, f] as const))('query %s: no 500, no leak', async ([, field]) => {
    await fuzz('query', field);
  });

  it.for(subscriptionFields.map((f) => [f.name, f] as const))('subscription %s at /graphql/stream: no 500, no leak, no stream on hostile input', async ([, field]) => {
    await fuzzStream(field);
  });

  it.for(mutationFields.map((f) => [f.name, f] as const))('mutation %s: no 500, no leak, nothing written', async ([, field]) => {
    const before = await fingerprint(t);
    await fuzz('mutation', field);
    expect(await fingerprint(t)).toEqual(before);
  });
});
