// GraphQL shape of the member directory: organizations, branches, contacts, the viewer, and the edits.
import { AssociationRef } from '../associations/associations.schema.js';
import { contactDetailsMasked } from '../auth/policy.js';
import { staffAssociationOf, type Viewer } from '../auth/viewer.js';
import { builder } from '../graphql/builder.js';
import { ViewerRoleEnum } from '../graphql/viewer-role.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { globalIdSql, parseGlobalIdOf } from '../global-id.js';
import { columnSetLoader, groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { jsonColumn as column, registerJsonObject, registerJsonRelation } from '../graphql/json-answer.js';
import { sql } from 'drizzle-orm';
import { connectionArgs, defineConnection, pageRequest, toConnection, wantsTotalCount } from '../graphql/pagination.js';
import { checkCreditCode, formatStockCode, formatStockCodeSql, normalizeCreditCode, type CreditCodeHolder } from './identifiers.js';
import { maskEmail, maskPhone } from './masking.js';
import { columnsFor, notedFields, noteRequestedFields, requestedFields, rowColumnsOf } from '../graphql/selection.js';
import type { ContactRow, ListingRow } from './members.table.js';
import { boardOf } from './identifiers.js';
import * as directory from './members.reads.js';
import type { BranchView, MembershipView, OrganizationView } from './members.reads.js';
import * as members from './members.service.js';

export const OrganizationKindEnum = builder.enumType('OrganizationKind', {
  description: '机构类型 / Kind of organization',
  values: {
    SECURITIES_FIRM: { description: '证券公司 / Securities firm' },
    FUTURES_FIRM: { description: '期货公司 / Futures firm' },
    FUND_MANAGER: { description: '基金管理公司 / Fund manager' },
    INVESTMENT_ADVISORY: { description: '证券投资咨询机构 / Investment advisory firm' },
    LISTED_COMPANY: { description: '上市公司 / Listed company' },
    OTHER: { description: '其他 / Other' },
  } as const,
});

export const DistrictEnum = builder.enumType('District', {
  description: '深圳行政区（"10+1"） / Shenzhen district',
  values: {
    FUTIAN: { description: '福田区 / Futian' },
    LUOHU: { description: '罗湖区 / Luohu' },
    NANSHAN: { description: '南山区 / Nanshan' },
    BAOAN: { description: '宝安区 / Bao\'an' },
    LONGGANG: { description: '龙岗区 / Longgang' },
    YANTIAN: { description: '盐田区 / Yantian' },
    LONGHUA: { description: '龙华区 / Longhua' },
    PINGSHAN: { description: '坪山区 / Pingshan' },
    GUANGMING: { description: '光明区 / Guangming' },
    DAPENG: { description: '大鹏新区 / Dapeng New Area' },
    SHENSHAN: { description: '深汕特别合作区 / Shenzhen–Shanwei Special Cooperation Zone' },
  } as const,
});

export const BranchKindEnum = builder.enumType('BranchKind', {
  description: '分支机构类型 / Kind of branch office',
  values: {
    BRANCH_COMPANY: { description: '分公司 / Branch company' },
    SALES_DEPARTMENT: { description: '证券营业部 / Securities sales department' },
  } as const,
});

export const MembershipStatusEnum = builder.enumType('MembershipStatus', {
  description: '会员状态 / Membership status',
  values: {
    ACTIVE: { description: '正常 / Active' },
    SUSPENDED: { description: '暂停 / Suspended' },
    WITHDRAWN: { description: '已退会 / Withdrawn' },
  } as const,
});

const MembershipCategoryEnum = builder.enumType('MembershipCategory', {
  description: '会员类别 / Membership category',
  values: {
    VICE_PRESIDENT_UNIT: { description: '副会长单位 / Vice-president unit' },
    COUNCIL_UNIT: { description: '理事单位 / Council unit' },
    ORDINARY: { description: '普通会员 / Ordinary member' },
    SPECIAL: { description: '特别会员 / Special member' },
    OBSERVER: { description: '观察员 / Observer' },
  } as const,
});

const MembershipChangeEnum = builder.enumType('MembershipChange', {
  description: '会员变更 / A change of membership',
  values: {
    JOIN: { description: '入会（含重新入会） / Join (or rejoin)' },
    SUSPEND: { description: '暂停会员资格 / Suspend' },
    REINSTATE: { description: '恢复会员资格 / Reinstate' },
    WITHDRAW: { description: '退会 / Withdraw' },
  } as const,
});

export const StockExchangeEnum = builder.enumType('StockExchange', {
  description: '证券交易所 / Stock exchange',
  values: {
    SZ: { description: '深圳证券交易所 / Shenzhen Stock Exchange' },
    SH: { description: '上海证券交易所 / Shanghai Stock Exchange' },
    BJ: { description: '北京证券交易所 / Beijing Stock Exchange' },
    HK: { description: '香港联合交易所 / Stock Exchange of Hong Kong (HKEX)' },
  } as const,
});

export const ListingBoardEnum = builder.enumType('ListingBoard', {
  description: '上市板块（由交易所和代码段确定） / Board, derived from the exchange and the code\'s range',
  values: {
    SZSE_MAIN: { description: '深交所主板（000–004，含原中小板 002/003；B 股 200） / SZSE main board (incl. the former SME board; B shares)' },
    CHINEXT: { description: '创业板（300–302） / ChiNext' },
    SSE_MAIN: { description: '上交所主板（600/601/603/605；B 股 900） / SSE main board (B shares too)' },
    STAR: { description: '科创板（688，存托凭证 689） / STAR Market (CDRs on 689)' },
    BSE: { description: '北交所（920，及原 4xxxxx/8xxxxx 代码） / Beijing Stock Exchange (920, and the earlier 4xxxxx/8xxxxx codes)' },
    HKEX: { description: '香港联交所（主板、GEM） / HKEX (Main Board, GEM)' },
  } as const,
});

export const ListingRef = builder.objectRef<ListingRow>('Listing').implement({
  description: '机构的一个上市地（A 股、H 股……；公开，如名录） / One listing of an organization (A share, H share …; public, like the directory)',
  fields: (t) => ({
    exchange: t.expose('exchange', { type: StockExchangeEnum, description: '交易所 / Exchange' }),
    board: t.field({ type: ListingBoardEnum, description: '板块 / Board', resolve: (l) => boardOf(l.code, l.exchange)! }),
    code: t.exposeString('code', { description: '代码：沪深北 6 位，港股 5 位（补零，如 06099） / Code: 6 digits on the mainland, 5 (zero-padded, e.g. 06099) on HKEX' }),
    symbol: t.string({ description: '带后缀的代码，如 600999.SH、6099.HK / Code with its suffix, e.g. 600999.SH, 6099.HK', resolve: (l) => formatStockCode(l.code, l.exchange)! }),
    primary: t.boolean({ description: '是否为主要上市地（即 stockCode） / Whether this is the primary listing (the one stockCode shows)', resolve: (l) => l.position === 0 }),
  }),
});

export const ContactRef = builder.objectRef<ContactRow>('Contact').implement({
  description:
    '机构联系人（仅机构本身、其所属协会的工作人员和证监局可见） / Contact person (visible to the organization itself, the staff of an association it is a member of, and the regulator)',
  fields: (t) => ({
    id: t.globalID({ description: '全局 ID / Global ID', resolve: (c) => ({ type: 'Contact', id: c.id }) }),
    name: t.exposeString('name', { description: '姓名 / Name' }),
    title: t.exposeString('title', { nullable: true, description: '职务 / Title' }),
    phone: t.string({
      nullable: true,
      description: '电话（服务账号看到的是掩码，如 138****5678） / Phone (masked for service accounts, e.g. 138****5678)',
      resolve: (c, _args, ctx) => (c.phone && contactDetailsMasked(ctx.viewer) ? maskPhone(c.phone) : c.phone),
    }),
    email: t.string({
      nullable: true,
      description: '电子邮箱（服务账号看到的是掩码，如 z***@example.com） / Email (masked for service accounts, e.g. z***@example.com)',
      resolve: (c, _args, ctx) => (c.email && contactDetailsMasked(ctx.viewer) ? maskEmail(c.email) : c.email),
    }),
  }),
});

export const OrganizationRef = builder.loadableNode('Organization', {
  description: '会员机构或上市公司 / A member organization or listed company',
  id: { resolve: (o: OrganizationView) => o.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => directory.loadOrganizationsByIds(ctx.db, ids),
  sort: (o) => o.id,
  fields: (t) => ({
    kind: t.expose('kind', { type: OrganizationKindEnum, description: '机构类型 / Kind' }),
    name: t.exposeString('name', { description: '全称 / Full name' }),
    shortName: t.exposeString('shortName', { nullable: true, description: '简称 / Short name' }),
    nameEn: t.exposeString('nameEn', { nullable: true, description: '英文名称 / English name' }),
    creditCode: t.exposeString('creditCode', { description: '统一社会信用代码（18 位） / Unified social credit code (18 characters)' }),
    stockCode: t.string({
      nullable: true,
      description: '主要上市地的证券代码，如 000001.SZ、6099.HK（全部上市地见 listings） / The primary listing\'s stock code with its exchange, e.g. 000001.SZ, 6099.HK (listings has every listing)',
      resolve: (o) => formatStockCode(o.stockCode, o.stockExchange),
    }),
    district: t.expose('district', { type: DistrictEnum, nullable: true, description: '所在区 / District' }),
    address: t.exposeString('address', { nullable: true, description: '地址 / Address' }),
    memberSince: t.expose('memberSince', { type: 'Date', nullable: true, description: '入会日期（在其主要协会） / Member since (of its primary association)' }),
    membershipStatus: t.expose('membershipStatus', { type: MembershipStatusEnum, description: '会员状态（在其主要协会；各协会见 memberships） / Membership status (of its primary association; memberships has each association\'s)' }),
    membershipCategory: t.expose('membershipCategory', { type: MembershipCategoryEnum, description: '会员类别（在其主要协会） / Membership category (of its primary association)' }),
    contacts: t.loadableList({
      type: ContactRef,
      nullable: true,
      description: '联系人；无权查看时为 null / Contacts; null when the viewer may not see them',
      loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
      // Hidden contacts load as null (loadableList cannot take a null key: resolving to null would be an internal error).
      load: async (orgIds: number[], ctx) => {
        const visible = await directory.loadContactsByOrganizationIds(ctx.db, ctx.viewer, orgIds);
        return orgIds.map((id) => visible.get(id) ?? null) as never;
      },
      resolve: (o) => o.id,
    }),
  }),
});

export const BranchRef = builder.loadableNode('Branch', {
  description: '证券公司分支机构（分公司、营业部） / Branch office of a securities firm',
  id: { resolve: (b: BranchView) => b.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => directory.loadBranchesByIds(ctx.db, ids),
  sort: (b) => b.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: '名称 / Name' }),
    kind: t.expose('kind', { type: BranchKindEnum, description: '类型 / Kind' }),
    creditCode: t.exposeString('creditCode', { nullable: true, description: '统一社会信用代码 / Unified social credit code' }),
    district: t.expose('district', { type: DistrictEnum, nullable: true, description: '所在区 / District' }),
    address: t.exposeString('address', { nullable: true, description: '地址 / Address' }),
    openedOn: t.expose('openedOn', { type: 'Date', nullable: true, description: '设立日期 / Opened on' }),
    closedOn: t.expose('closedOn', { type: 'Date', nullable: true, description: '撤销日期 / Closed on' }),
    firm: t.field({
      type: OrganizationRef,
      description: '所属证券公司 / The parent firm',
      resolve: (b) => b.firmId,
    }),
  }),
});

/** The columns each Organization field reads (lists fetch only these; fields added elsewhere that read only the id belong here too). */
const ORGANIZATION_COLUMNS: Record<string, (keyof typeof directory.organizationViewColumns)[]> = {
  id: ['id'],
  kind: ['kind'],
  name: ['name'],
  shortName: ['shortName'],
  nameEn: ['nameEn'],
  creditCode: ['creditCode'],
  stockCode: ['stockCode', 'stockExchange'],
  listings: ['id'],
  district: ['district'],
  address: ['address'],
  memberSince: ['memberSince'],
  membershipStatus: ['membershipStatus'],
  membershipCategory: ['membershipCategory'],
  contacts: ['id'],
  memberships: ['id'],
  branches: ['id'],
  suggestions: ['id'],
};
/** The columns each Branch field reads (fields added elsewhere included). */
const BRANCH_COLUMNS: Record<string, (keyof typeof directory.branchViewColumns)[]> = {
  id: ['id'],
  name: ['name'],
  kind: ['kind'],
  creditCode: ['creditCode'],
  district: ['district'],
  address: ['address'],
  openedOn: ['openedOn'],
  closedOn: ['closedOn'],
  firm: ['firmId'],
  ratings: ['id'],
};

const OrganizationConnection = defineConnection(OrganizationRef, 'OrganizationConnection', '机构', 'Organizations');
const BranchConnection = defineConnection(BranchRef, 'BranchConnection', '分支机构', 'Branches');

// node/nodes know their selection: an organization looked up there reads only the columns its fields need (every
// column, through the shared loader, when a field has no mapping).
const organizationsWithColumns = columnSetLoader<OrganizationView, typeof directory.organizationViewColumns>((ctx, ids, columns) =>
  directory.loadOrganizationsByIds(ctx.db, ids, columns),
);
registerNodeType('Organization', (ctx, id, info) => {
  const columns = columnsFor(directory.organizationViewColumns, ORGANIZATION_COLUMNS, ['id'], requestedFields(info));
  return columns === directory.organizationViewColumns ? OrganizationRef.getDataloader(ctx).load(id) : organizationsWithColumns(ctx, columns).load(id);
});
registerNodeType('Branch', (ctx, id) => BranchRef.getDataloader(ctx).load(id));

export const MembershipRef = builder.objectRef<MembershipView>('Membership').implement({
  description: '机构在某一协会的会员资格（公开，如名录） / An organization\'s membership of one association (public, like the directory)',
  fields: (t) => ({
    association: t.field({ type: AssociationRef, description: '协会 / The association', resolve: (m) => m.association }),
    category: t.expose('category', { type: MembershipCategoryEnum, description: '会员类别 / Membership category' }),
    status: t.expose('status', { type: MembershipStatusEnum, description: '会员状态 / Membership status' }),
    since: t.expose('since', { type: 'Date', nullable: true, description: '入会日期 / Member since' }),
  }),
});

const membershipsByOrganization = groupedLoader(
  (ctx, organizationIds: readonly number[]) => directory.loadMembershipsByOrganizationIds(ctx.db, organizationIds),
  (m) => m.organizationId,
);

builder.objectField(OrganizationRef, 'memberships', (t) =>
  t.field({
    type: [MembershipRef],
    description: '在各协会的会员资格（按协会） / Memberships of the associations, by association',
    resolve: (o, _args, ctx) => membershipsByOrganization(ctx).load(o.id),
  }),
);

const listingsByOrganization = groupedLoader(
  (ctx, organizationIds: readonly number[]) => directory.loadListingsByOrganizationIds(ctx.db, organizationIds),
  (l) => l.organizationId,
);

builder.objectField(OrganizationRef, 'listings', (t) =>
  t.field({
    type: [ListingRef],
    description: `全部上市地，主要上市地在前（最多 ${members.MAX_LISTINGS} 个） / Every listing, the primary one first (at most ${members.MAX_LISTINGS})`,
    resolve: (o, _args, ctx) => listingsByOrganization(ctx).load(o.id),
  }),
);

builder.objectField(OrganizationRef, 'branches', (t) =>
  t.loadable({
    type: BranchConnection,
    description: '分支机构（分页） / Branch offices (paginated)',
    args: connectionArgs(t.arg),
    byPath: true,
    // No cache across batches: a later path may ask for more fields than the rows an earlier batch fetched.
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE, cache: false },
    load: async (firmIds: number[], ctx, args) => {
      const page = pageRequest(args);
      const columns = columnsFor(directory.branchViewColumns, BRANCH_COLUMNS, ['id', 'firmId'], notedFields(ctx, 'Organization.branches'));
      const rows = await directory.listBranchesOfFirms(ctx.db, firmIds, page, columns);
      let counts: Promise<Map<number, number>> | undefined;
      const countFor = (firmId: number) => async () => {
        counts ??= directory.countBranchesOfFirms(ctx.db, firmIds);
        return (await counts).get(firmId) ?? 0;
      };
      return firmIds.map((firmId) =>
        toConnection(
          rows.filter((r) => r.firmId === firmId),
          page,
          (r) => r.id,
          countFor(firmId),
        ),
      ) as never;
    },
    resolve: (o, _args, ctx, info) => {
      noteRequestedFields(ctx, 'Organization.branches', info, ['edges', 'node']);
      return o.id;
    },
  }),
);

// One-statement answers (src/graphql/json-answer.ts): the fields above whose value is a column as it is (stockCode
// formatted in SQL as formatStockCode formats it), node(id) of both types, and the directory's unfiltered forward
// pages. Anything else (listings, contacts, memberships, filters, backward pages) is answered by the resolvers.
registerJsonObject('Organization', {
  byId: (id, columns) => directory.organizationRowSql(id, columns),
  columns: rowColumnsOf(directory.organizationViewColumns, ORGANIZATION_COLUMNS),
  leaves: {
    id: (row) => globalIdSql('Organization', sql`${row}.id`),
    kind: column('kind'),
    name: column('name'),
    shortName: column('short_name'),
    nameEn: column('name_en'),
    creditCode: column('credit_code'),
    stockCode: (row) => formatStockCodeSql(sql`${row}.stock_code`, sql`${row}.stock_exchange`),
    district: column('district'),
    address: column('address'),
    memberSince: column('member_since'),
    membershipStatus: column('membership_status'),
    membershipCategory: column('membership_category'),
  },
});
registerJsonObject('Branch', {
  byId: (id, columns) => directory.branchRowSql(id, columns),
  columns: rowColumnsOf(directory.branchViewColumns, BRANCH_COLUMNS),
  leaves: {
    id: (row) => globalIdSql('Branch', sql`${row}.id`),
    name: column('name'),
    kind: column('kind'),
    creditCode: column('credit_code'),
    district: column('district'),
    address: column('address'),
    openedOn: column('opened_on'),
    closedOn: column('closed_on'),
  },
});
registerJsonRelation('Query.organizations', {
  kind: 'connection',
  type: 'Organization',
  args: ['first', 'after'],
  level: () => ({ rows: (_parents, p, columns) => directory.organizationPageRows(p('after'), p('limit'), columns), values: {}, shape: 'directory' }),
  totalCount: () => directory.organizationCountSql(),
});
registerJsonRelation('Organization.branches', {
  kind: 'connection',
  type: 'Branch',
  args: ['first', 'after'],
  level: () => ({ rows: (firms, p, columns) => directory.branchPageRowsOfFirms(firms, p('after'), p('limit'), columns), values: {}, shape: 'branches' }),
  totalCount: (firmId) => directory.branchCountOfFirmSql(firmId),
});

const OrganizationFilterInput = builder.inputType('OrganizationFilter', {
  description: '机构筛选条件 / Filter for organizations',
  fields: (t) => ({
    kind: t.field({ type: OrganizationKindEnum, description: '机构类型 / Kind' }),
    district: t.field({ type: DistrictEnum, description: '所在区 / District' }),
    search: t.string({
      description: `按中英文名称、简称、信用代码或证券代码搜索（最多 ${directory.MAX_SEARCH_LENGTH} 字） / Search names (Chinese or English), short name, credit code or stock code`,
    }),
  }),
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: '当前访问者 / The current viewer',
  fields: (t) => ({
    role: t.field({ type: ViewerRoleEnum, description: '角色 / Role', resolve: (v) => v.role as never }),
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: '访问者所属机构（会员机构、上市公司） / The viewer\'s own organization (firms and listed companies)',
      resolve: (v) => v.organizationId,
    }),
    association: t.field({
      type: AssociationRef,
      nullable: true,
      description: '访问者所在协会（协会工作人员）；其他访问者为 null / The association the viewer works for (association staff); null for everyone else',
      resolve: (v) => staffAssociationOf(v),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: '当前访问者 / Who is asking',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
  organizations: t.field({
    type: OrganizationConnection,
    description: '机构名录（按 ID 稳定排序） / The member directory, in a stable order',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: OrganizationFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx, info) => {
      const page = pageRequest(args);
      const filter = args.filter ?? {};
      const columns = columnsFor(directory.organizationViewColumns, ORGANIZATION_COLUMNS, ['id'], requestedFields(info, ['edges', 'node']));
      const { rows, total } = await directory.listOrganizations(ctx.db, filter, page, { withTotal: wantsTotalCount(info), columns });
      return toConnection(rows, page, (o) => o.id, async () => total ?? directory.countOrganizations(ctx.db, filter)) as never;
    },
  }),
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    description: '按统一社会信用代码查找机构 / Find an organization by its unified social credit code',
    args: { creditCode: t.arg.string({ required: true, description: '统一社会信用代码 / Unified social credit code' }) },
    resolve: (_root, args, ctx) => directory.findOrganizationByCreditCode(ctx.db, args.creditCode),
  }),
}));

// ---------------------------------------------------------------- mutations

const orgFieldsInput = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, creating: boolean) => ({
  kind: t.field({ type: OrganizationKindEnum, required: creating, description: '机构类型 / Kind' }),
  name: t.string({ required: creating, description: '全称（最多 100 字） / Full name (at most 100 characters)' }),
  shortName: t.string({ description: '简称 / Short name' }),
  nameEn: t.string({ description: '英文名称 / English name' }),
  creditCode: t.string({ required: creating, description: '统一社会信用代码 / Unified social credit code' }),
  stockCode: t.string({ description: '主要上市地的证券代码，如 000001.SZ、600999.sh、6099.HK（大小写、空格不限）；空字符串清除 / The primary listing, e.g. 000001.SZ, 600999.sh, 6099.HK (any case, padding ignored); empty clears it' }),
  listings: t.stringList({
    description: `全部上市地，主要的在前，如 ["600999.SH", "6099.HK"]（最多 ${members.MAX_LISTINGS} 个）；[] 全部清除；同时给出 stockCode 时它须是其中之一 / Every listing, primary first, e.g. ["600999.SH", "6099.HK"] (at most ${members.MAX_LISTINGS}); [] clears them; a stockCode given too must be one of them`,
  }),
  district: t.field({ type: DistrictEnum, description: '所在区 / District' }),
  address: t.string({ description: '地址 / Address' }),
  memberSince: t.field({ type: 'Date', description: '入会日期 / Member since' }),
  membershipCategory: t.field({ type: MembershipCategoryEnum, description: '会员类别 / Membership category' }),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  description: '新增机构 / A new organization',
  fields: (t) => orgFieldsInput(t, true),
});
const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: '修改机构；未给出的字段不变 / Changes to an organization; omitted fields stay as they are',
  fields: (t) => ({ id: t.id({ required: true, description: '机构全局 ID / Organization global ID' }), ...orgFieldsInput(t, false) }),
});
const RecordMembershipChangeInput = builder.inputType('RecordMembershipChangeInput', {
  description: '会员变更 / A membership change',
  fields: (t) => ({
    organizationId: t.id({ required: true, description: '机构全局 ID / Organization global ID' }),
    change: t.field({ type: MembershipChangeEnum, required: true, description: '变更类型 / The change' }),
    effectiveOn: t.field({ type: 'Date', required: true, description: '生效日期 / Effective date' }),
    note: t.string({ description: '备注 / Note' }),
  }),
});

const branchFieldsInput = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, creating: boolean) => ({
  kind: t.field({ type: BranchKindEnum, required: creating, description: '类型 / Kind' }),
  name: t.string({ required: creating, description: '名称，以母公司全称开头 / Name, starting with the firm\'s full name' }),
  creditCode: t.string({ description: '分支机构自己的统一社会信用代码 / The branch\'s own credit code' }),
  district: t.field({ type: DistrictEnum, description: '所在区 / District' }),
  address: t.string({ description: '地址 / Address' }),
  openedOn: t.field({ type: 'Date', description: '设立日期 / Opened on' }),
  closedOn: t.field({ type: 'Date', description: '撤销日期 / Closed on' }),
});
const CreateBranchInput = builder.inputType('CreateBranchInput', {
  description: '新增分支机构 / A new branch',
  fields: (t) => ({ firmId: t.id({ required: true, description: '证券公司全局 ID / Firm global ID' }), ...branchFieldsInput(t, true) }),
});
const UpdateBranchInput = builder.inputType('UpdateBranchInput', {
  description: '修改分支机构 / Changes to a branch',
  fields: (t) => ({ id: t.id({ required: true, description: '分支机构全局 ID / Branch global ID' }), ...branchFieldsInput(t, false) }),
});

const contactFieldsInput = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, creating: boolean) => ({
  name: t.string({ required: creating, description: '姓名 / Name' }),
  title: t.string({ description: '职务 / Title' }),
  phone: t.string({ description: '电话 / Phone' }),
  email: t.string({ description: '电子邮箱 / Email' }),
});
const AddContactInput = builder.inputType('AddContactInput', {
  description: '新增联系人 / A new contact',
  fields: (t) => ({ organizationId: t.id({ required: true, description: '机构全局 ID / Organization global ID' }), ...contactFieldsInput(t, true) }),
});
const UpdateContactInput = builder.inputType('UpdateContactInput', {
  description: '修改联系人 / Changes to a contact',
  fields: (t) => ({ id: t.id({ required: true, description: '联系人全局 ID / Contact global ID' }), ...contactFieldsInput(t, false) }),
});
const ContactIdInput = builder.inputType('ContactIdInput', {
  description: '联系人 / A contact',
  fields: (t) => ({ id: t.id({ required: true, description: '联系人全局 ID / Contact global ID' }) }),
});

/**
 * The warnings about a credit code the input gave (a GB 11714 check failure in positions 9–17), in the request's
 * language; none when the change was refused or named no code.
 */
function creditCodeWarnings(ctx: { locale: 'zh' | 'en' }, saved: unknown, creditCode: string | null | undefined, holder: CreditCodeHolder | undefined): string[] {
  if (!saved || !creditCode) return [];
  return checkCreditCode(normalizeCreditCode(creditCode), holder).warnings.map((w) => w.message[ctx.locale]);
}

const warningsDescription =
  '保存时的提示（如统一社会信用代码第 9–17 位组织机构代码校验位不符，GB 11714），按请求语言；不影响保存 / Warnings of the save (such as a credit code whose organization code in positions 9–17 fails its GB 11714 check), in the request\'s language; the change was saved';

const OrganizationPayload = builder.objectRef<{ organization: OrganizationView | null; userErrors: never[]; warnings?: string[] | null }>('OrganizationPayload').implement({
  description: '机构变更结果 / Result of an organization change',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, nullable: true, description: '变更后的机构 / The organization', resolve: (p) => p.organization }),
    userErrors: userErrorsField(t),
    warnings: t.stringList({ description: warningsDescription, resolve: (p) => p.warnings ?? [] }),
  }),
});
const BranchPayload = builder.objectRef<{ branch: BranchView | null; userErrors: never[]; warnings?: string[] | null }>('BranchPayload').implement({
  description: '分支机构变更结果 / Result of a branch change',
  fields: (t) => ({
    branch: t.field({ type: BranchRef, nullable: true, description: '变更后的分支机构 / The branch', resolve: (p) => p.branch }),
    userErrors: userErrorsField(t),
    warnings: t.stringList({ description: warningsDescription, resolve: (p) => p.warnings ?? [] }),
  }),
});
const ContactPayload = builder.objectRef<{ contact: ContactRow | null; userErrors: never[] }>('ContactPayload').implement({
  description: '联系人变更结果 / Result of a contact change',
  fields: (t) => ({
    contact: t.field({ type: ContactRef, nullable: true, description: '变更后的联系人（删除时为删除前） / The contact (as it was, when removed)', resolve: (p) => p.contact }),
    userErrors: userErrorsField(t),
  }),
});

const orgId = (id: string | number) => parseGlobalIdOf(String(id), 'Organization');

builder.mutationFields((t) => ({
  createOrganization: t.field({
    type: OrganizationPayload,
    authScopes: { association: true },
    description: '新增机构（协会） / Add an organization (association)',
    args: { input: t.arg({ type: CreateOrganizationInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => members.createOrganization(ctx.db, ctx.viewer, input as never), (organization) => ({ organization, warnings: creditCodeWarnings(ctx, organization, input.creditCode, organization.kind) }), { organization: null, warnings: null }) as never,
  }),
  updateOrganization: t.field({
    type: OrganizationPayload,
    authScopes: { association: true },
    description: '修改本协会会员机构；会员类别和入会日期为本协会的 / Edit an organization that is a member of your association; membershipCategory and memberSince are your association\'s (association)',
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { id, ...fields } }, ctx) =>
      mutationPayload(ctx, () => members.updateOrganization(ctx.db, ctx.viewer, orgId(id), fields as never), (organization) => ({ organization, warnings: creditCodeWarnings(ctx, organization, fields.creditCode, organization.kind) }), { organization: null, warnings: null }) as never,
  }),
  recordMembershipChange: t.field({
    type: OrganizationPayload,
    authScopes: { association: true },
    description: '记录本协会的入会、暂停、恢复、退会（协会） / Record a change of a membership of your association (association)',
    args: { input: t.arg({ type: RecordMembershipChangeInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => members.recordMembershipChange(ctx.db, ctx.viewer, { ...input, organizationId: orgId(input.organizationId) }),
        (organization) => ({ organization }),
        { organization: null },
      ) as never,
  }),
  createBranch: t.field({
    type: BranchPayload,
    authScopes: { association: true },
    description: '新增分支机构（协会） / Add a branch (association)',
    args: { input: t.arg({ type: CreateBranchInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { firmId, ...fields } }, ctx) =>
      mutationPayload(ctx, () => members.createBranch(ctx.db, ctx.viewer, { ...fields, firmId: orgId(firmId) } as never), (branch) => ({ branch, warnings: creditCodeWarnings(ctx, branch, fields.creditCode, 'BRANCH') }), { branch: null, warnings: null }) as never,
  }),
  updateBranch: t.field({
    type: BranchPayload,
    authScopes: { association: true },
    description: '修改分支机构（协会） / Edit a branch (association)',
    args: { input: t.arg({ type: UpdateBranchInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { id, ...fields } }, ctx) =>
      mutationPayload(ctx, () => members.updateBranch(ctx.db, ctx.viewer, parseGlobalIdOf(String(id), 'Branch'), fields as never), (branch) => ({ branch, warnings: creditCodeWarnings(ctx, branch, fields.creditCode, 'BRANCH') }), { branch: null, warnings: null }) as never,
  }),
  addContact: t.field({
    type: ContactPayload,
    authScopes: { association: true, member: true },
    description: '新增联系人：本机构的，或（协会）本协会会员的 / Add a contact to your own organization, or (association) to a member of your association',
    args: { input: t.arg({ type: AddContactInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { organizationId, ...fields } }, ctx) =>
      mutationPayload(ctx, () => members.addContact(ctx.db, ctx.viewer, orgId(organizationId), fields as never), (contact) => ({ contact }), { contact: null }) as never,
  }),
  updateContact: t.field({
    type: ContactPayload,
    authScopes: { association: true, member: true },
    description: '修改本机构联系人 / Edit a contact of your own organization',
    args: { input: t.arg({ type: UpdateContactInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { id, ...fields } }, ctx) =>
      mutationPayload(ctx, () => members.updateContact(ctx.db, ctx.viewer, parseGlobalIdOf(String(id), 'Contact'), fields as never), (contact) => ({ contact }), { contact: null }) as never,
  }),
  removeContact: t.field({
    type: ContactPayload,
    authScopes: { association: true, member: true },
    description: '删除本机构联系人 / Remove a contact of your own organization',
    args: { input: t.arg({ type: ContactIdInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => members.removeContact(ctx.db, ctx.viewer, parseGlobalIdOf(String(input.id), 'Contact')), (contact) => ({ contact }), { contact: null }) as never,
  }),
}));
