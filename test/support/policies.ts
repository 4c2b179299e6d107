// Helpers for the policy interpretation tests: the seeded interpretations by name, list queries, row counts.
import { sql } from 'drizzle-orm';
import { creditCodeOf, type TestApp } from './harness.js';

/** Title prefixes of the seeded interpretations (src/policies/policies.seed.ts). */
export const SEEDED = {
  dealerNotice: '坚持守法合规经营',
  branchRules: '《证券公司分支机构监管规定》',
  suitability: '《证券期货投资者适当性管理办法》',
  dataStandard: '行业标准 JR/T 0158',
  shenzhenGuideline: '深圳辖区证券公司分支机构分类监管',
  securitiesLaw: '新《证券法》',
  classification2020: '2020年修订',
  aml: '反洗钱（AML）',
  classification2025: '《证券公司分类评价规定》',
  complianceDraft: '《证券公司和证券投资基金管理公司合规管理办法》',
  investorEducationDraft: '投资者教育',
} as const;
export type Seeded = keyof typeof SEEDED;

/** What each seeded interpretation is: audience, status. */
export const SEEDED_KIND: Record<Seeded, { audience: 'PUBLIC' | 'MEMBERS'; status: 'DRAFT' | 'PUBLISHED' | 'ARCHIVED' }> = {
  dealerNotice: { audience: 'MEMBERS', status: 'PUBLISHED' },
  branchRules: { audience: 'MEMBERS', status: 'PUBLISHED' },
  suitability: { audience: 'PUBLIC', status: 'PUBLISHED' },
  dataStandard: { audience: 'PUBLIC', status: 'PUBLISHED' },
  shenzhenGuideline: { audience: 'MEMBERS', status: 'PUBLISHED' },
  securitiesLaw: { audience: 'PUBLIC', status: 'PUBLISHED' },
  classification2020: { audience: 'MEMBERS', status: 'ARCHIVED' },
  aml: { audience: 'MEMBERS', status: 'PUBLISHED' },
  classification2025: { audience: 'MEMBERS', status: 'PUBLISHED' },
  complianceDraft: { audience: 'MEMBERS', status: 'DRAFT' },
  investorEducationDraft: { audience: 'PUBLIC', status: 'DRAFT' },
};

export type Role = 'anonymous' | 'firm' | 'listed' | 'association' | 'regulator';
export const ROLES: Role[] = ['anonymous', 'firm', 'listed', 'association', 'regulator'];

/** Whether a role may read a seeded interpretation at all (node, lookup). */
export function mayRead(role: Role, key: Seeded): boolean {
  const { audience, status } = SEEDED_KIND[key];
  if (role === 'association' || role === 'regulator') return true;
  if (status === 'DRAFT') return false;
  return audience === 'PUBLIC' || role === 'firm' || role === 'listed';
}

/** Whether a role sees a seeded interpretation in lists (archived ones never). */
export function mayList(role: Role, key: Seeded): boolean {
  return mayRead(role, key) && SEEDED_KIND[key].status !== 'ARCHIVED';
}

export async function roleTokens(t: TestApp): Promise<Record<Role, string | undefined>> {
  return {
    anonymous: undefined,
    firm: await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM')),
    listed: await t.token('listed_company', await creditCodeOf(t, 'LISTED_COMPANY')),
    association: await t.token('association'),
    regulator: await t.token('regulator'),
  };
}

/** Global IDs of the seeded interpretations, read as the association (archived ones through the status filter). */
export async function seededIds(t: TestApp, associationToken: string): Promise<Record<Seeded, string>> {
  const res = await t.gql(
    `{ live: policyInterpretations(first: 100) { edges { node { id title } } }
       archived: policyInterpretations(first: 100, status: ARCHIVED) { edges { node { id title } } } }`,
    {},
    { token: associationToken },
  );
  const nodes = [...res.body.data.live.edges, ...res.body.data.archived.edges].map((e: any) => e.node);
  const out = {} as Record<Seeded, string>;
  for (const [key, prefix] of Object.entries(SEEDED) as [Seeded, string][]) {
    const found = nodes.find((n: any) => n.title.startsWith(prefix));
    if (!found) throw new Error(`seeded interpretation ${key} not found`);
    out[key] = found.id;
  }
  return out;
}

export const LIST = `query($first: Int, $after: String, $search: String, $tag: String, $status: PolicyInterpretationStatus) {
  policyInterpretations(first: $first, after: $after, search: $search, tag: $tag, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title status audience relevance highlight { text html fragments { text highlighted } } } }
  }
}`;

export interface ListArgs {
  first?: number;
  after?: string;
  search?: string;
  tag?: string;
  status?: string;
}

/** One page of the list as the given token; throws on GraphQL errors so tests read results. */
export async function listPage(t: TestApp, token: string | undefined, args: ListArgs = {}) {
  const res = await t.gql(LIST, args, { token });
  if (res.status !== 200 || res.body.errors) throw new Error(`list failed: ${res.status} ${res.text}`);
  return res.body.data.policyInterpretations as {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: any }[];
  };
}

/** Titles on one page. */
export async function listTitles(t: TestApp, token: string | undefined, args: ListArgs = {}): Promise<string[]> {
  return (await listPage(t, token, args)).edges.map((e) => e.node.title);
}

/** Which seeded interpretation a title belongs to (undefined for ones a test created). */
export function seededKeyOf(title: string): Seeded | undefined {
  return (Object.entries(SEEDED) as [Seeded, string][]).find(([, prefix]) => title.startsWith(prefix))?.[0];
}

export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const res = (await t.database.db.execute(
    sql`select (select count(*)::int from policy_interpretations) as interpretations,
               (select count(*)::int from policy_sources) as sources,
               (select count(*)::int from policy_revisions) as revisions,
               (select count(*)::int from audit_log) as audit`,
  )) as unknown as { rows: Record<string, number>[] };
  return res.rows[0]!;
}
