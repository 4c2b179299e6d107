// Migration 0009 (several associations) on data of the shape before it: a database migrated up to 0008 holds a
// representative set of rows (organizations of several kinds, listed companies as SPECIAL members of the securities
// association, suggestions, a forward batch and its counter, interpretations, service accounts); the remaining
// migrations then run, and nothing is lost and everything lands in the right association. On embedded PGlite always,
// and on PostgreSQL too when DATABASE_URL is set (a throwaway database, dropped afterwards).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../src/db/client.js';
import { adminUrl } from './support/global-setup.js';

/** The last migration of the shape before several associations. */
const BEFORE = '0008_audit_chain';
const SZSA = 1;
const SZLCA = 2;

interface Driver {
  name: string;
  exec(text: string): Promise<void>;
  rows<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

async function pgliteDriver(): Promise<Driver> {
  const client = new PGlite();
  const db = drizzlePglite({ client });
  return {
    name: 'pglite',
    exec: async (text) => void (await client.exec(text)),
    rows: async <T,>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
    migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
    close: () => client.close(),
  };
}

async function postgresDriver(baseUrl: string): Promise<Driver> {
  const name = `mg_migration_assoc_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl(baseUrl) });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const client = new pg.Client({ connectionString: adminUrl(baseUrl, name) });
  await client.connect();
  const db = drizzleNodePg({ client });
  return {
    name: 'postgres',
    exec: async (text) => void (await client.query(text)),
    rows: async <T,>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
    migrate: (folder) => migrateNodePg(db, { migrationsFolder: folder }),
    close: async () => {
      await client.end();
      const drop = new pg.Client({ connectionString: adminUrl(baseUrl) });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}

/** A copy of drizzle/ whose journal stops at `last` (inclusive): migrating from it applies only those. */
function migrationsUpTo(last: string): { folder: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mg-migrations-'));
  const folder = join(dir, 'drizzle');
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const index = journal.entries.findIndex((e) => e.tag === last);
  if (index < 0) throw new Error(`no migration ${last} in the journal`);
  journal.entries = journal.entries.slice(0, index + 1);
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  return { folder, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Organizations of the shape before 0009: membership columns on the organization only. Credit codes fit the column's
// pattern (the application checks more; the migration does not care).
const organizations = [
  { id: 1, kind: 'SECURITIES_FIRM', name: '迁移测试证券', code: '91440300MA5F000001', category: 'VICE_PRESIDENT_UNIT', status: 'ACTIVE', since: '2001-05-01', stock: null },
  { id: 2, kind: 'SECURITIES_FIRM', name: '迁移暂停证券', code: '91440300MA5F000002', category: 'ORDINARY', status: 'SUSPENDED', since: '2010-01-01', stock: null },
  { id: 3, kind: 'FUND_MANAGER', name: '迁移基金管理', code: '91440300MA5F000003', category: 'COUNCIL_UNIT', status: 'ACTIVE', since: null, stock: null },
  { id: 4, kind: 'LISTED_COMPANY', name: '迁移上市科技', code: '91440300MA5F000004', category: 'SPECIAL', status: 'ACTIVE', since: '2015-06-30', stock: '000001' },
  { id: 5, kind: 'LISTED_COMPANY', name: '迁移暂停上市', code: '91440300MA5F000005', category: 'SPECIAL', status: 'SUSPENDED', since: '2018-03-01', stock: '000002' },
  { id: 6, kind: 'LISTED_COMPANY', name: '迁移普通上市', code: '91440300MA5F000006', category: 'ORDINARY', status: 'WITHDRAWN', since: '2012-12-12', stock: '000003' },
  { id: 7, kind: 'FUTURES_FIRM', name: '迁移特别期货', code: '91440300MA5F000007', category: 'SPECIAL', status: 'ACTIVE', since: '2005-07-01', stock: null },
  { id: 8, kind: 'OTHER', name: '迁移观察单位', code: '51440300MA5F000008', category: 'OBSERVER', status: 'WITHDRAWN', since: '2008-08-08', stock: null },
] as const;

const literal = (v: string | null) => (v == null ? 'null' : `'${v.replaceAll("'", "''")}'`);

/** Rows of every table the migration touches (and some it does not), as they were written before 0009. */
function preAssociationRows(): string {
  const orgs = organizations
    .map(
      (o) =>
        `(${o.id}, '${o.kind}', ${literal(o.name)}, '${o.code}', ${literal(o.stock)}, ${o.stock ? "'SZ'" : 'null'}, 'FUTIAN', ${literal(o.since)}, '${o.status}', '${o.category}')`,
    )
    .join(',\n');
  return `
    insert into organizations (id, kind, name, credit_code, stock_code, stock_exchange, district, member_since, membership_status, membership_category)
    overriding system value values ${orgs};
    select setval(pg_get_serial_sequence('organizations', 'id'), 8);

    insert into branches (firm_id, kind, name, district, opened_on) values (1, 'SALES_DEPARTMENT', '迁移测试证券深圳福华路营业部', 'FUTIAN', '2012-01-01');
    insert into contacts (organization_id, name, email) values (1, '联系人甲', 'a@example.test'), (4, '董秘乙', 'b@example.test');

    insert into membership_events (organization_id, kind, effective_on, note) values
      (1, 'JOIN', '2001-05-01', null), (2, 'JOIN', '2010-01-01', null), (2, 'SUSPEND', '2024-01-01', '欠缴会费'),
      (4, 'JOIN', '2015-06-30', '特别会员'), (5, 'JOIN', '2018-03-01', null), (5, 'SUSPEND', '2025-02-01', null),
      (6, 'WITHDRAW', '2020-01-01', null), (7, 'JOIN', '2005-07-01', null);

    insert into committees (code, name, name_en) values ('COMPLIANCE', '合规专业委员会', 'Compliance Committee'), ('FINTECH', '金融科技专业委员会', null);
    insert into committee_terms (committee_id, number, starts_on) select id, 1, '2023-01-01' from committees where code = 'COMPLIANCE';
    insert into committee_seats (term_id, organization_id, person_name, role, appointed_on) select id, 1, '张三', 'CHAIR', '2023-01-01' from committee_terms;

    insert into suggestion_campaigns (title, document_number, topics, invited_kinds, issued_on, deadline)
      values ('迁移征集', '深证协函〔2025〕9号', '{QIANHAI,OTHER}', '{SECURITIES_FIRM,LISTED_COMPANY}', '2025-03-01', '2025-04-30');
    insert into suggestion_forward_batches (year, number, reference_number, recipient, note) values (2025, 1, '深证协〔2025〕1号', 'SAC', '报送说明');
    insert into suggestion_reference_counters (year, last_number) values (2025, 1);
    insert into suggestions (organization_id, campaign_id, topic, title, body, status, idempotency_key, input_fingerprint) values
      (1, null, 'QIANHAI', '证券公司的建议', '正文', 'SUBMITTED', 'key-1', 'fp-1');
    insert into suggestions (organization_id, campaign_id, topic, title, body, status)
      select 4, id, 'OTHER', '上市公司的建议', '正文', 'UNDER_REVIEW' from suggestion_campaigns;
    insert into suggestions (organization_id, topic, title, body, status, forward_batch_id)
      select 2, 'FINTECH', '已报送的建议', '正文', 'FORWARDED', id from suggestion_forward_batches;
    insert into suggestion_events (suggestion_id, from_status, to_status, actor_role) select id, null, 'SUBMITTED', 'FIRM' from suggestions;

    insert into policy_interpretations (title, summary, body, audience, status, tags, search_vector, published_at) values
      ('迁移草稿解读', '摘要', '正文', 'MEMBERS', 'DRAFT', '{mig}', to_tsvector('simple', '迁移草稿解读'), null),
      ('迁移公开解读', '摘要', '正文', 'PUBLIC', 'PUBLISHED', '{mig}', to_tsvector('simple', '迁移公开解读'), now());
    insert into policy_revisions (interpretation_id, revision, content, actor_sub, actor_role)
      select id, 1, '{}'::jsonb, 'test:association:', 'ASSOCIATION' from policy_interpretations;

    insert into service_accounts (client_id, name, role, scopes) values
      ('mg_migration_association', '协会系统', 'association', '{reports:read}'),
      ('mg_migration_regulator', '证监局系统', 'regulator', '{reports:read,webhooks:manage}');
    insert into service_account_secrets (service_account_id, hash) select id, 'hash-' || id from service_accounts;
  `;
}

async function tableCounts(d: Driver): Promise<Record<string, number>> {
  const tables = await d.rows<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [row] = await d.rows<{ n: number }>(`select count(*)::int as n from "${table_name}"`);
    counts[table_name] = Number(row!.n);
  }
  return counts;
}

const drivers: { name: string; open: () => Promise<Driver> }[] = [{ name: 'PGlite', open: pgliteDriver }];
if (process.env.DATABASE_URL) drivers.push({ name: 'PostgreSQL', open: () => postgresDriver(process.env.DATABASE_URL!) });

describe.each(drivers)('migration 0009 (associations) on existing data · $name', ({ open }) => {
  let d: Driver;
  let before: Record<string, number>;
  let organizationsBefore: Record<string, unknown>[];
  let upTo: ReturnType<typeof migrationsUpTo>;

  beforeAll(async () => {
    d = await open();
    upTo = migrationsUpTo(BEFORE);
    await d.migrate(upTo.folder);
    // Really the old shape: no associations yet.
    expect(await d.rows(`select 1 from information_schema.tables where table_name in ('associations', 'memberships')`)).toEqual([]);
    await d.exec(preAssociationRows());
    before = await tableCounts(d);
    organizationsBefore = await d.rows(
      `select id, kind::text, name, credit_code, stock_code, district::text, member_since::text as since, membership_status::text as status, membership_category::text as category
       from organizations order by id`,
    );
    await d.migrate(migrationsFolder);
  }, 60_000);

  afterAll(async () => {
    await d?.close();
    upTo?.remove();
  });

  it('applied every migration of the journal', async () => {
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const [applied] = await d.rows<{ n: number }>(`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(Number(applied!.n)).toBe(journal.entries.length);
  });

  it('loses no row of any table', async () => {
    const after = await tableCounts(d);
    for (const [table, n] of Object.entries(before)) expect({ table, n: after[table] }).toEqual({ table, n });
    expect(before.organizations).toBe(organizations.length);
    expect(before.suggestions).toBe(3);
  });

  it('creates the two associations with fixed ids', async () => {
    expect(await d.rows(`select id, code::text from associations order by id`)).toEqual([
      { id: SZSA, code: 'SZSA' },
      { id: SZLCA, code: 'SZLCA' },
    ]);
  });

  it('gives every organization exactly one membership, in its primary association', async () => {
    const memberships = await d.rows<{ organization_id: number; association_id: number; category: string; status: string; since: string | null }>(
      `select organization_id, association_id, category::text, status::text, since::text from memberships order by organization_id`,
    );
    expect(memberships.map((m) => m.organization_id)).toEqual(organizations.map((o) => o.id));
    for (const o of organizations) {
      const m = memberships.find((x) => x.organization_id === o.id)!;
      const listed = o.kind === 'LISTED_COMPANY';
      expect({ org: o.name, ...m }).toEqual({
        org: o.name,
        organization_id: o.id,
        association_id: listed ? SZLCA : SZSA,
        // Listed companies were SPECIAL members of the securities association; they are ORDINARY members of theirs.
        category: listed && o.category === 'SPECIAL' ? 'ORDINARY' : o.category,
        status: o.status,
        since: o.since,
      });
    }
  });

  it("keeps each organization's own membership columns equal to its membership, and its other columns unchanged", async () => {
    const rows = await d.rows<Record<string, unknown>>(
      `select o.id, o.kind::text, o.name, o.credit_code, o.stock_code, o.district::text, o.member_since::text as since,
              o.membership_status::text as status, o.membership_category::text as category,
              m.since::text as m_since, m.status::text as m_status, m.category::text as m_category
       from organizations o join memberships m on m.organization_id = o.id order by o.id`,
    );
    expect(rows).toHaveLength(organizations.length);
    for (const row of rows) {
      expect([row.since, row.status, row.category]).toEqual([row.m_since, row.m_status, row.m_category]);
      const old = organizationsBefore.find((o) => o.id === row.id)!;
      const { m_since: _s, m_status: _t, m_category: _c, ...now } = row;
      expect(now).toEqual({ ...old, category: old.kind === 'LISTED_COMPANY' && old.category === 'SPECIAL' ? 'ORDINARY' : old.category });
    }
  });

  it("puts each membership event in its organization's association", async () => {
    const events = await d.rows<{ organization_id: number; association_id: number; kind: string }>(
      `select e.organization_id, e.association_id, o.kind::text from membership_events e join organizations o on o.id = e.organization_id`,
    );
    expect(events).toHaveLength(before.membership_events!);
    for (const e of events) expect({ org: e.organization_id, association: e.association_id }).toEqual({ org: e.organization_id, association: e.kind === 'LISTED_COMPANY' ? SZLCA : SZSA });
  });

  it.each([
    'committees',
    'suggestion_campaigns',
    'suggestions',
    'suggestion_forward_batches',
    'suggestion_reference_counters',
    'policy_interpretations',
  ])('gives every row of %s to the securities association (SZSA)', async (table) => {
    const rows = await d.rows<{ association_id: number | null; n: number }>(`select association_id, count(*)::int as n from ${table} group by association_id`);
    expect(rows.map((r) => ({ association_id: r.association_id, n: Number(r.n) }))).toEqual([{ association_id: SZSA, n: before[table] }]);
  });

  it("keeps the listed company's suggestion, in SZSA where it was submitted, with its campaign", async () => {
    const rows = await d.rows(
      `select s.title, s.association_id, s.status::text, c.association_id as campaign_association from suggestions s
       join organizations o on o.id = s.organization_id join suggestion_campaigns c on c.id = s.campaign_id where o.kind = 'LISTED_COMPANY'`,
    );
    expect(rows).toEqual([{ title: '上市公司的建议', association_id: SZSA, status: 'UNDER_REVIEW', campaign_association: SZSA }]);
  });

  it('gives association service accounts to SZSA and regulator ones to none', async () => {
    expect(await d.rows(`select client_id, role, association_id from service_accounts order by client_id`)).toEqual([
      { client_id: 'mg_migration_association', role: 'association', association_id: SZSA },
      { client_id: 'mg_migration_regulator', role: 'regulator', association_id: null },
    ]);
    // Required for the association role, absent otherwise.
    await expect(d.exec(`insert into service_accounts (client_id, name, role) values ('mg_migration_bad', '无协会', 'association')`)).rejects.toThrow();
    await expect(d.exec(`insert into service_accounts (client_id, name, role, association_id) values ('mg_migration_bad2', '有协会的证监局', 'regulator', 1)`)).rejects.toThrow();
  });

  it('keys the reference counter by (association, year): a second association counts the same year on its own', async () => {
    const [pk] = await d.rows<{ columns: string }>(
      `select string_agg(a.attname, ',' order by k.ord) as columns
       from pg_constraint c cross join lateral unnest(c.conkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
       where c.conrelid = 'suggestion_reference_counters'::regclass and c.contype = 'p'`,
    );
    expect(pk!.columns).toBe('association_id,year');
    await d.exec(`insert into suggestion_reference_counters (association_id, year, last_number) values (${SZLCA}, 2025, 0)`);
    await expect(d.exec(`insert into suggestion_reference_counters (association_id, year, last_number) values (${SZSA}, 2025, 7)`)).rejects.toThrow();
    // And a forward batch numbered 1 in 2025 again, in the other association.
    // (A batch names its recipient row since migration 0021: each association has its own SAC row.)
    const sac = (association: number) => `(select id from suggestion_recipients where association_id = ${association} and code = 'SAC')`;
    await d.exec(`insert into suggestion_forward_batches (association_id, year, number, reference_number, recipient, recipient_id) values (${SZLCA}, 2025, 1, '深上协〔2025〕1号', 'SAC', ${sac(SZLCA)})`);
    await expect(d.exec(`insert into suggestion_forward_batches (association_id, year, number, reference_number, recipient, recipient_id) values (${SZSA}, 2025, 1, 'x', 'SAC', ${sac(SZSA)})`)).rejects.toThrow();
    expect(await d.rows(`select association_id, year, last_number from suggestion_reference_counters order by association_id`)).toEqual([
      { association_id: SZSA, year: 2025, last_number: 1 },
      { association_id: SZLCA, year: 2025, last_number: 0 },
    ]);
  });

  it('refuses a second membership of one organization in one association', async () => {
    await expect(d.exec(`insert into memberships (association_id, organization_id) values (${SZSA}, 1)`)).rejects.toThrow();
    // A listed securities firm may hold a membership in both.
    await d.exec(`insert into memberships (association_id, organization_id) values (${SZLCA}, 1)`);
  });
});
