// Demo suggestions of both associations. 深证协 (SZSA): two campaigns, twenty suggestions in every status from firms and
// listed companies (these listed companies submitted before the listed companies association took them over; their
// suggestions stay SZSA's), one forwarded batch (深证协〔2026〕1号) with responses. 深上协 (SZLCA): one campaign to listed
// companies, four suggestions from listed companies, one forwarded batch (深上协〔2026〕1号). With their status
// history. Deterministic.
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { organizationsTable } from '../members/members.table.js';
import {
  suggestionTopicEnum,
  suggestionCampaignsTable,
  suggestionEventsTable,
  suggestionForwardBatchesTable,
  suggestionForwardingsTable,
  suggestionRecipientsTable,
  suggestionReferenceCountersTable,
  suggestionsTable,
  type ResponseOutcome,
  type SuggestionStatus,
  type SuggestionTopic,
} from './suggestions.table.js';

type CampaignKey = 'A2025' | 'B2026' | 'L2026';

const CAMPAIGNS: Record<CampaignKey, typeof suggestionCampaignsTable.$inferInsert> = {
  A2025: {
    associationId: ASSOCIATION_IDS.SZSA,
    title: '关于征集前海、河套合作区资本市场发展建议的通知',
    description: '为支持前海深港现代服务业合作区和河套深港科技创新合作区建设，现向会员单位征集资本市场发展相关意见建议。',
    documentNumber: '深证协函〔2025〕21号',
    topics: ['QIANHAI', 'HETAO', 'GBA_CROSS_BORDER'],
    invitedKinds: ['SECURITIES_FIRM', 'FUTURES_FIRM', 'FUND_MANAGER'],
    issuedOn: '2025-03-10',
    deadline: '2025-04-30',
    createdAt: new Date('2025-03-10T09:00:00+08:00'),
  },
  B2026: {
    associationId: ASSOCIATION_IDS.SZSA,
    title: '关于征集2026年“双区”建设资本市场改革建议的通知',
    description:
      '为深入推进粤港澳大湾区和中国特色社会主义先行示范区建设，现向会员单位和辖区上市公司征集资本市场改革相关意见建议，请于截止日期前通过平台提交。',
    documentNumber: '深证协函〔2026〕8号',
    topics: [...suggestionTopicEnum.enumValues],
    invitedKinds: ['SECURITIES_FIRM', 'FUTURES_FIRM', 'FUND_MANAGER', 'INVESTMENT_ADVISORY', 'LISTED_COMPANY'],
    issuedOn: '2026-09-01',
    deadline: '2026-12-31',
    createdAt: new Date('2026-09-01T09:30:00+08:00'),
  },
  L2026: {
    associationId: ASSOCIATION_IDS.SZLCA,
    title: '关于征集上市公司高质量发展建议的通知',
    description: '为推动辖区上市公司高质量发展，现向会员上市公司征集并购重组、信息披露、公司治理和财税支持等方面的意见建议。',
    documentNumber: '深上协函〔2026〕5号',
    topics: ['CAPITAL_MARKET_REFORM', 'REGULATORY_POLICY', 'TAX_POLICY', 'TALENT', 'FINTECH', 'OTHER'],
    invitedKinds: ['LISTED_COMPANY'],
    issuedOn: '2026-03-02',
    deadline: '2026-12-31',
    createdAt: new Date('2026-03-02T10:00:00+08:00'),
  },
};

type Association = keyof typeof ASSOCIATION_IDS;

/** Each association's forwarded batch (its first of 2026) and its counter. */
const BATCHES: Record<Association, Omit<typeof suggestionForwardBatchesTable.$inferInsert, 'associationId' | 'recipientId'> & { referenceNumber: string }> = {
  SZSA: {
    year: 2026,
    number: 1,
    referenceNumber: '深证协〔2026〕1号',
    recipient: 'CSRC_SZ_BUREAU',
    note: '汇总报送会员单位关于资本市场改革和跨境金融的建议',
    forwardedAt: new Date('2026-06-15T15:00:00+08:00'),
  },
  SZLCA: {
    year: 2026,
    number: 1,
    referenceNumber: '深上协〔2026〕1号',
    recipient: 'CSRC_SZ_BUREAU',
    note: '汇总报送会员上市公司关于并购重组和人才培养的建议',
    forwardedAt: new Date('2026-07-20T15:00:00+08:00'),
  },
};

interface Spec {
  key: string;
  /** The association it was submitted to; SZSA unless given. */
  association?: Association;
  org: string;
  campaign?: CampaignKey;
  topic: SuggestionTopic;
  title: string;
  body: string;
  submittedAt: string;
  /** Moves after submission: status, when, note. FORWARDED moves join the demo batch. */
  moves: [SuggestionStatus, string, string?][];
  response?: { outcome: ResponseOutcome; text: string };
  duplicateOf?: string;
}

const t = (day: string, time = '10:00') => `${day}T${time}:00+08:00`;

const SPECS: Spec[] = [
  {
    key: 'a1', org: '鹏城证券股份有限公司', campaign: 'A2025', topic: 'QIANHAI',
    title: '关于支持前海合资证券公司扩大跨境业务范围的建议',
    body: '建议支持前海合资证券公司在风险可控前提下开展跨境资产管理、跨境投顾等业务，探索与港澳机构的业务协同机制。',
    submittedAt: t('2025-04-08', '10:12'),
    moves: [['UNDER_REVIEW', t('2025-04-15')], ['ACCEPTED', t('2025-05-06'), '建议内容具体可行，拟择机报送']],
  },
  {
    key: 'a2', org: '深南证券股份有限公司', campaign: 'A2025', topic: 'HETAO',
    title: '关于在河套合作区试点跨境科技企业股权融资服务的建议',
    body: '建议在河套深港科技创新合作区试点面向跨境科技企业的股权融资综合服务，便利港澳投资者参与深圳科技企业早期融资。',
    submittedAt: t('2025-04-20', '16:40'),
    moves: [['UNDER_REVIEW', t('2025-04-28')], ['REJECTED', t('2025-05-12'), '相关政策已在制定中，暂不单独报送']],
  },
  {
    key: 'a3', org: '红树林基金管理有限公司', campaign: 'A2025', topic: 'GBA_CROSS_BORDER',
    title: '关于扩大跨境理财通产品范围的建议',
    body: '建议将更多风险等级适中的公募基金纳入“跨境理财通”南向、北向产品范围，并适度提高个人投资者额度。',
    submittedAt: t('2025-04-25', '11:05'),
    moves: [['UNDER_REVIEW', t('2025-05-06')], ['ACCEPTED', t('2025-05-20')], ['FORWARDED', t('2026-06-15', '15:00')]],
    response: { outcome: 'PARTIALLY_ADOPTED', text: '关于产品范围的建议已纳入下一步工作考虑，额度调整需统筹研究。' },
  },
  {
    key: 'a4', org: '鹏城期货有限公司', campaign: 'A2025', topic: 'QIANHAI',
    title: '关于前海期货跨境交割业务的建议',
    body: '建议研究在前海设立面向港澳投资者的期货跨境交割库。',
    submittedAt: t('2025-04-28', '09:30'),
    moves: [['WITHDRAWN', t('2025-04-29'), '内容需补充完善，先行撤回']],
  },
  {
    key: 'b1', org: '鹏城证券股份有限公司', topic: 'CAPITAL_MARKET_REFORM',
    title: '关于优化创业板再融资审核流程的建议',
    body: '建议对符合条件的创业板上市公司小额快速再融资进一步简化审核流程，缩短审核周期，提高直接融资效率。',
    submittedAt: t('2026-03-12', '14:20'),
    moves: [['UNDER_REVIEW', t('2026-03-20')], ['ACCEPTED', t('2026-04-10')], ['FORWARDED', t('2026-06-15', '15:00')]],
    response: { outcome: 'ADOPTED', text: '相关建议已吸收进简易程序优化方案。' },
  },
  {
    key: 'b2', org: '深圳市光羽智造科技股份有限公司', topic: 'PILOT_ZONE_REFORM',
    title: '关于先行示范区上市公司股权激励便利化的建议',
    body: '建议在先行示范区内探索简化上市公司股权激励计划的备案程序，允许科技型企业更灵活地设置行权条件。',
    submittedAt: t('2026-04-02', '10:45'),
    moves: [['UNDER_REVIEW', t('2026-04-09')], ['ACCEPTED', t('2026-05-08')], ['FORWARDED', t('2026-06-15', '15:00')]],
  },
  {
    key: 'b3', org: '前海汇通证券有限责任公司', topic: 'FINTECH',
    title: '关于开展证券行业数字人民币结算试点的建议',
    body: '建议在前海选取部分证券公司开展数字人民币在客户资金存管、场外产品申赎中的结算试点。',
    submittedAt: t('2026-04-18', '15:10'),
    moves: [['UNDER_REVIEW', t('2026-04-25')], ['ACCEPTED', t('2026-05-15')], ['FORWARDED', t('2026-06-15', '15:00')]],
    response: { outcome: 'NOT_ADOPTED', text: '数字人民币试点范围由人民银行统筹安排，暂不具备条件。' },
  },
  {
    key: 'd1', org: '西丽证券股份有限公司', topic: 'OTHER',
    title: '关于协会官网信息披露栏目改版的建议',
    body: '建议协会官网增设会员单位信息披露专栏，便于投资者集中查询。',
    submittedAt: t('2026-05-06', '09:15'),
    moves: [['REJECTED', t('2026-05-20'), '不属于“双区”建议征集范围，已转交协会办公室研究']],
  },
  {
    key: 'c1', org: '鹏城证券股份有限公司', campaign: 'B2026', topic: 'GBA_CROSS_BORDER',
    title: '关于深化深港通交易日历协同的建议',
    body: '建议进一步协调深港两地交易日历，减少因节假日差异导致的深港通暂停交易天数，提升互联互通效率。',
    submittedAt: t('2026-09-08', '10:30'),
    moves: [],
  },
  {
    key: 'c2', org: '深南证券股份有限公司', campaign: 'B2026', topic: 'TALENT',
    title: '关于优化大湾区金融人才跨境执业资格互认的建议',
    body: '建议扩大大湾区内地与港澳金融从业资格互认范围，简化跨境执业备案手续。',
    submittedAt: t('2026-09-15', '14:00'),
    moves: [],
  },
  {
    key: 'c3', org: '深圳市海蓝储能技术股份有限公司', campaign: 'B2026', topic: 'TAX_POLICY',
    title: '关于研发费用加计扣除政策延续的建议',
    body: '建议延续并优化研发费用加计扣除政策，对新型储能等战略性新兴产业给予更大力度支持。',
    submittedAt: t('2026-09-22', '11:20'),
    moves: [],
  },
  {
    key: 'c4', org: '深圳市前湾生物医药股份有限公司', campaign: 'B2026', topic: 'CAPITAL_MARKET_REFORM',
    title: '关于未盈利生物医药企业再融资的建议',
    body: '建议为已上市未盈利生物医药企业设置与研发阶段相匹配的再融资条件。',
    submittedAt: t('2026-09-28', '16:05'),
    moves: [['UNDER_REVIEW', t('2026-10-12')]],
  },
  {
    key: 'c5', org: '梧桐山证券股份有限公司', campaign: 'B2026', topic: 'REGULATORY_POLICY',
    title: '关于分支机构分类监管指标优化的建议',
    body: '建议在分支机构分类评价中增加投资者适当性管理和投诉处理质量指标的权重。',
    submittedAt: t('2026-10-09', '09:50'),
    moves: [['UNDER_REVIEW', t('2026-10-16')]],
  },
  {
    key: 'c6', org: '红树林基金管理有限公司', campaign: 'B2026', topic: 'FINTECH',
    title: '关于基金投顾业务数字化展业的建议',
    body: '建议明确基金投顾业务线上展业的合规边界，支持智能投顾工具在适当性管理中的应用。',
    submittedAt: t('2026-10-14', '13:30'),
    moves: [['UNDER_REVIEW', t('2026-10-20')], ['ACCEPTED', t('2026-11-03'), '拟纳入下一批报送']],
  },
  {
    key: 'c7', org: '深圳市云岭数据科技股份有限公司', campaign: 'B2026', topic: 'FINTECH',
    title: '关于公共数据授权运营支持金融科技的建议',
    body: '建议推动公共数据在征信、风控等金融场景的授权运营，明确数据安全责任。',
    submittedAt: t('2026-10-18', '10:10'),
    moves: [['ACCEPTED', t('2026-11-05'), '拟纳入下一批报送']],
  },
  {
    key: 'c8', org: '深南证券股份有限公司', campaign: 'B2026', topic: 'GBA_CROSS_BORDER',
    title: '关于深港通节假日交易安排的建议',
    body: '建议优化深港通节假日交易安排，减少两地休市差异对投资者的影响。',
    submittedAt: t('2026-10-22', '15:45'),
    moves: [['REJECTED', t('2026-11-06'), '与此前收到的建议重复 / Duplicate of an earlier suggestion']],
    duplicateOf: 'c1',
  },
  {
    key: 'c9', org: '深圳市光羽智造科技股份有限公司', campaign: 'B2026', topic: 'HETAO',
    title: '关于河套合作区科研设备跨境流动便利化的建议',
    body: '建议简化河套合作区科研设备、样品跨境通关流程，支持上市公司在合作区设立研发中心。',
    submittedAt: t('2026-10-30', '11:00'),
    moves: [],
  },
  {
    key: 'c10', org: '鹏湾证券股份有限公司', campaign: 'B2026', topic: 'QIANHAI',
    title: '关于前海QFLP试点额度管理的建议',
    body: '建议优化前海合格境外有限合伙人试点额度管理方式。',
    submittedAt: t('2026-11-02', '09:20'),
    moves: [['WITHDRAWN', t('2026-11-04'), '与集团内其他单位重复提交，撤回']],
  },
  {
    key: 'c11', org: '鹏城证券股份有限公司', campaign: 'B2026', topic: 'TALENT',
    title: '关于证券从业人员继续教育学时互认的建议',
    body: '建议推动证券、基金、期货从业人员继续教育学时互认，减轻重复培训负担。',
    submittedAt: t('2026-11-10', '14:35'),
    moves: [['UNDER_REVIEW', t('2026-11-17')]],
  },
  {
    key: 'c12', org: '深圳市芯湾半导体股份有限公司', campaign: 'B2026', topic: 'CAPITAL_MARKET_REFORM',
    title: '关于科创板“硬科技”认定标准细化的建议',
    body: '建议细化半导体等细分行业的“硬科技”认定标准，提高发行上市审核的可预期性。',
    submittedAt: t('2026-11-18', '10:00'),
    moves: [],
  },
  // 深上协: listed companies answer its campaign or write on their own.
  {
    key: 'l1', association: 'SZLCA', org: '深圳市鹏翼无人机系统股份有限公司', campaign: 'L2026', topic: 'CAPITAL_MARKET_REFORM',
    title: '关于优化上市公司产业并购重组审核机制的建议',
    body: '建议对上市公司围绕产业链上下游开展的并购重组实行分类审核，对轻资产科技企业的估值方法给予更大包容度，缩短审核周期。',
    submittedAt: t('2026-03-18', '10:20'),
    moves: [['UNDER_REVIEW', t('2026-03-25')], ['ACCEPTED', t('2026-04-22'), '建议具有代表性，拟汇总报送'], ['FORWARDED', t('2026-07-20', '15:00')]],
  },
  {
    key: 'l2', association: 'SZLCA', org: '深圳市澜芯医疗器械股份有限公司', topic: 'TALENT',
    title: '关于将上市公司董事会秘书培训纳入继续教育学时的建议',
    body: '建议将协会组织的董事会秘书、证券事务代表专题培训纳入相关从业人员继续教育学时认定范围。',
    submittedAt: t('2026-04-09', '14:05'),
    moves: [['UNDER_REVIEW', t('2026-04-16')], ['ACCEPTED', t('2026-05-28')], ['FORWARDED', t('2026-07-20', '15:00')]],
    response: { outcome: 'PARTIALLY_ADOPTED', text: '董事会秘书后续培训学时认定将纳入下一步工作统筹研究。' },
  },
  {
    key: 'l3', association: 'SZLCA', org: '深圳市南岸电子股份有限公司', campaign: 'L2026', topic: 'REGULATORY_POLICY',
    title: '关于简化上市公司临时公告格式指引的建议',
    body: '建议对日常经营类临时公告推行表格化披露模板，减少重复性文字内容，提高信息披露的可读性和效率。',
    submittedAt: t('2026-10-27', '09:40'),
    moves: [['UNDER_REVIEW', t('2026-11-03')]],
  },
  {
    key: 'l4', association: 'SZLCA', org: '深圳市铭禾精密制造股份有限公司', campaign: 'L2026', topic: 'TAX_POLICY',
    title: '关于制造业上市公司股权激励个人所得税递延纳税的建议',
    body: '建议对制造业上市公司实施的限制性股票和股票期权激励，进一步明确递延纳税政策的适用条件和办理流程。',
    submittedAt: t('2026-11-24', '16:15'),
    moves: [],
  },
];

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`suggestions seed: ${message}`);
}

export async function seedSuggestions(db: DbOrTx): Promise<{ suggestionCampaigns: number; suggestions: number; suggestionEvents: number }> {
  const orgNames = [...new Set(SPECS.map((s) => s.org))];
  const orgs = await db.select({ id: organizationsTable.id, name: organizationsTable.name, kind: organizationsTable.kind }).from(organizationsTable).where(inArray(organizationsTable.name, orgNames));
  const orgId = new Map(orgs.map((o) => [o.name, o.id]));
  const submitterRole = new Map(orgs.map((o) => [o.name, o.kind === 'LISTED_COMPANY' ? 'LISTED_COMPANY' : 'FIRM']));
  for (const name of orgNames) check(orgId.has(name), `unknown organization ${name}`);

  const campaignKeys = Object.keys(CAMPAIGNS) as CampaignKey[];
  const campaignRows = await db.insert(suggestionCampaignsTable).values(campaignKeys.map((k) => CAMPAIGNS[k])).returning({ id: suggestionCampaignsTable.id, documentNumber: suggestionCampaignsTable.documentNumber });
  const campaignId = new Map(campaignKeys.map((k) => [k, campaignRows.find((r) => r.documentNumber === CAMPAIGNS[k].documentNumber)!.id]));

  // SZSA's batch first (its ids come first, as before several associations).
  const associations: Association[] = ['SZSA', 'SZLCA'];
  const batchId = new Map<Association, number>();
  const recipientId = new Map<Association, number>();
  for (const association of associations) {
    const associationId = ASSOCIATION_IDS[association];
    // The recipient row the migration gave the association for the batch's GovernmentRecipient value.
    const [recipient] = await db
      .select({ id: suggestionRecipientsTable.id })
      .from(suggestionRecipientsTable)
      .where(and(eq(suggestionRecipientsTable.associationId, associationId), eq(suggestionRecipientsTable.code, BATCHES[association].recipient)));
    check(recipient, `no recipient row ${BATCHES[association].recipient} for ${association}`);
    recipientId.set(association, recipient.id);
    const [batch] = await db.insert(suggestionForwardBatchesTable).values({ ...BATCHES[association], associationId, recipientId: recipient.id }).returning({ id: suggestionForwardBatchesTable.id });
    batchId.set(association, batch!.id);
  }
  await db
    .insert(suggestionReferenceCountersTable)
    .values(associations.map((a) => ({ associationId: ASSOCIATION_IDS[a], year: BATCHES[a].year, lastNumber: BATCHES[a].number })));
  for (const spec of SPECS) {
    if (spec.campaign) check(CAMPAIGNS[spec.campaign].associationId === ASSOCIATION_IDS[spec.association ?? 'SZSA'], `${spec.key} answers another association's campaign`);
  }

  const values = SPECS.map((spec) => {
    const last = spec.moves.at(-1);
    const forwarded = spec.moves.some(([status]) => status === 'FORWARDED');
    const reviewNote = spec.moves.find(([status]) => status === 'ACCEPTED' || status === 'REJECTED')?.[2] ?? null;
    const status: SuggestionStatus = spec.response ? 'RESPONDED' : (last?.[0] ?? 'SUBMITTED');
    const respondedAt = spec.response ? new Date('2026-08-20T10:00:00+08:00') : null;
    return {
      organizationId: orgId.get(spec.org)!,
      associationId: ASSOCIATION_IDS[spec.association ?? 'SZSA'],
      campaignId: spec.campaign ? campaignId.get(spec.campaign)! : null,
      topic: spec.topic,
      title: spec.title,
      body: spec.body,
      status,
      reviewNote,
      forwardBatchId: forwarded ? batchId.get(spec.association ?? 'SZSA')! : null,
      response: spec.response?.text ?? null,
      responseOutcome: spec.response?.outcome ?? null,
      respondedAt,
      submittedAt: new Date(spec.submittedAt),
      updatedAt: respondedAt ?? new Date(last?.[1] ?? spec.submittedAt),
    };
  });
  const rows = await db.insert(suggestionsTable).values(values).returning({ id: suggestionsTable.id, title: suggestionsTable.title });
  // Each forwarded suggestion's (primary) forwarding, with the response it has.
  const forwardings = rows.flatMap((row) => {
    const v = values.find((x) => x.title === row.title)!;
    if (v.forwardBatchId === null) return [];
    const association = (Object.keys(ASSOCIATION_IDS) as Association[]).find((a) => ASSOCIATION_IDS[a] === v.associationId)!;
    return [{ suggestionId: row.id, batchId: v.forwardBatchId, recipientId: recipientId.get(association)!, response: v.response, responseOutcome: v.responseOutcome, respondedAt: v.respondedAt, createdAt: BATCHES[association].forwardedAt! as Date }];
  });
  if (forwardings.length > 0) await db.insert(suggestionForwardingsTable).values(forwardings);
  const idOf = new Map(SPECS.map((spec) => [spec.key, rows.find((r) => r.title === spec.title)!.id]));

  for (const spec of SPECS.filter((s) => s.duplicateOf)) {
    check(idOf.get(spec.duplicateOf!)! < idOf.get(spec.key)!, `${spec.key} must come after the suggestion it duplicates`);
    await db.update(suggestionsTable).set({ duplicateOfId: idOf.get(spec.duplicateOf!)! }).where(eq(suggestionsTable.id, idOf.get(spec.key)!));
  }

  // Status history: the submission, each move (a decision straight from SUBMITTED passes through UNDER_REVIEW), the response.
  const events: (typeof suggestionEventsTable.$inferInsert)[] = [];
  for (const spec of SPECS) {
    const suggestionId = idOf.get(spec.key)!;
    events.push({ suggestionId, at: new Date(spec.submittedAt), fromStatus: null, toStatus: 'SUBMITTED', actorRole: submitterRole.get(spec.org)!, note: null });
    let from: SuggestionStatus = 'SUBMITTED';
    for (const [to, at, note] of spec.moves) {
      if (from === 'SUBMITTED' && (to === 'ACCEPTED' || to === 'REJECTED')) {
        events.push({ suggestionId, at: new Date(at), fromStatus: 'SUBMITTED', toStatus: 'UNDER_REVIEW', actorRole: 'ASSOCIATION', note: null });
        from = 'UNDER_REVIEW';
      }
      const forwardNote = to === 'FORWARDED' ? `以${BATCHES[spec.association ?? 'SZSA'].referenceNumber}报送深圳证监局` : null;
      events.push({ suggestionId, at: new Date(at), fromStatus: from, toStatus: to, actorRole: to === 'WITHDRAWN' ? submitterRole.get(spec.org)! : 'ASSOCIATION', note: note ?? forwardNote });
      from = to;
    }
    if (spec.response) {
      const outcomeZh = { ADOPTED: '已采纳', PARTIALLY_ADOPTED: '部分采纳', NOT_ADOPTED: '未采纳', NO_FEEDBACK: '无具体反馈' }[spec.response.outcome];
      events.push({ suggestionId, at: new Date('2026-08-20T10:00:00+08:00'), fromStatus: 'FORWARDED', toStatus: 'RESPONDED', actorRole: 'ASSOCIATION', note: `${outcomeZh}：${spec.response.text}` });
    }
  }
  await db.insert(suggestionEventsTable).values(events);
  return { suggestionCampaigns: campaignRows.length, suggestions: rows.length, suggestionEvents: events.length };
}
