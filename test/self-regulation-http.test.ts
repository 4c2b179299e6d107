// Self-regulation over HTTP, as a new user tries it (issue 20): a case from investigation to a published 暂停会员权利,
// after which the member's real tokens — one already in use before the decision, one new — still read but every
// mutation of the schema answers FORBIDDEN and writes nothing; the rule in consultation takes the member's comment.
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLInputType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-id.js';
import { schema } from '../src/graphql/schema.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { fingerprint } from './security/support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function ok(token: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  const res = await t.gql(query, variables, { token });
  expect(res.body.errors, res.text.slice(0, 400)).toBeUndefined();
  const payload = Object.values(res.body.data as Record<string, any>)[0];
  if (payload && typeof payload === 'object' && 'userErrors' in payload) expect(payload.userErrors, res.text.slice(0, 400)).toEqual([]);
  return payload;
}

function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  if (isScalarType(type)) {
    const samples: Record<string, unknown> = { ID: encodeGlobalId('Organization', 1), Int: 2030, Float: 1, Boolean: true, Date: '2030-01-01', DateTime: '2030-01-01T00:00:00Z' };
    return samples[type.name] ?? 'x';
  }
  throw new Error(`no sample for ${String(type)}`);
}

describe('a published 暂停会员权利 stops the member\'s mutations over HTTP', () => {
  it('from investigation to FINAL; then every mutation is FORBIDDEN to the member\'s tokens and nothing is written', async () => {
    const li = await t.token('association'); // opens
    const wang = await t.token('association', undefined, 600, { association: 'SZSA' }); // another subject: decides
    const firms = await ok(li, `{ organizations(first: 50, filter: { kind: SECURITIES_FIRM }) { edges { node { id creditCode memberships { association { code } status } } } } }`);
    // An active member of SZSA only (the training demo data adds firms that have since withdrawn).
    const firm = firms.edges.map((e: any) => e.node).reverse().find((o: any) => o.memberships.length === 1 && o.memberships[0].association.code === 'SZSA' && o.memberships[0].status === 'ACTIVE');
    const early = await t.token('firm', firm.creditCode, 600); // in use before the decision (its organization is remembered)

    // The member comments on the demo rule in consultation: it acts normally before the decision.
    const rules = await ok(early, `{ selfRegulatoryRules(first: 50) { edges { node { id status } } } }`);
    const consultation = rules.edges.find((e: any) => e.node.status === 'CONSULTATION').node.id;
    await ok(early, `mutation($id: ID!) { commentOnSelfRegulatoryRule(input: { id: $id, body: "建议明确适用对象。" }) { userErrors { code } } }`, { id: consultation });

    const opened = await ok(li, `mutation($o: ID!) { openDisciplinaryCase(input: { organizationId: $o, summary: "拒不配合自律检查。" }) { disciplinaryCase { id } userErrors { code } } }`, { o: firm.id });
    const id = opened.disciplinaryCase.id;
    await ok(li, `mutation($id: ID!) { startDisciplinaryHearing(input: { id: $id }) { userErrors { code } } }`, { id });
    await ok(early, `mutation($id: ID!) { submitDisciplinaryStatement(input: { id: $id, statement: "我司将全面配合。" }) { userErrors { code } } }`, { id });
    const endsOn = `${new Date().getUTCFullYear() + 1}-12-31`;
    await ok(wang, `mutation($id: ID!, $e: Date) { decideDisciplinaryCase(input: { id: $id, measures: [{ type: SUSPEND_MEMBERSHIP_RIGHTS, endsOn: $e }] }) { userErrors { code } } }`, { id, e: endsOn });
    const final = await ok(wang, `mutation($id: ID!) { finalizeDisciplinaryCase(input: { id: $id }) { disciplinaryCase { stage publishedAt } userErrors { code } } }`, { id });
    expect(final.disciplinaryCase.stage).toBe('FINAL');

    const anonymous = await ok(undefined, `query($id: ID!) { node(id: $id) { ... on DisciplinaryCase { stage statement measures { type endsOn } } } }`, { id });
    expect(anonymous).toEqual({ stage: 'FINAL', statement: null, measures: [{ type: 'SUSPEND_MEMBERSHIP_RIGHTS', endsOn }] });

    const fresh = await t.token('firm', firm.creditCode, 600);
    const before = await fingerprint(t);
    const fields = Object.values(schema.getMutationType()!.getFields());
    for (const token of [early, fresh]) {
      // Reads still work.
      expect((await ok(token, `{ viewer { organization { id } } }`)).organization.id).toBe(firm.id);
      for (const field of fields) {
        const vars = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
        const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
        const selection = isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
        const res = await t.gql(`mutation${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`, Object.fromEntries(field.args.map((a) => [a.name, sample(a.type)])), { token });
        expect(res.body.errors?.map((e) => e.extensions?.code), `${field.name}: ${res.text.slice(0, 300)}`).toEqual(['FORBIDDEN']);
        expect(res.status).toBe(200);
      }
    }
    expect(await fingerprint(t)).toEqual(before);
  });
});
