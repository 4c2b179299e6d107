// Demo policy interpretations of real public documents (DOMAIN.md §1.2, §1.3, §2.3, §3.7). The documents, their
// numbers and dates are public facts; the interpretation texts are written for the demo. Deterministic: fixed times.
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { isValidDocumentNumber, normalizeDocumentNumber } from './document-number.js';
import { contentColumns } from './policies.service.js';
import {
  policyInterpretationsTable,
  policyRevisionsTable,
  policySourcesTable,
  type PolicyRevisionSnapshot,
  type PolicySourceSnapshot,
} from './policies.table.js';

type Source = Partial<PolicySourceSnapshot> & { title: string };

interface DemoInterpretation {
  content: Omit<PolicyRevisionSnapshot, 'sources'> & { sources: Source[] };
  status: 'DRAFT' | 'PUBLISHED' | 'ARCHIVED';
  createdAt: string;
  publishedAt?: string;
  archivedAt?: string;
  /** When the final revision was saved, if there are earlier ones. */
  revisedAt?: string;
  /** Earlier revisions, oldest first: what differed from the final text, and when. */
  earlier?: { changes: Partial<PolicyRevisionSnapshot>; at: string; role: 'ASSOCIATION' | 'REGULATOR'; note?: string }[];
  /** Who saved the final revision (and its note). */
  author: 'ASSOCIATION' | 'REGULATOR';
  note?: string;
}

const SUITABILITY_RULE: Source = {
  title: '证券期货投资者适当性管理办法',
  documentNumber: '证监会令第130号',
  issuer: '中国证券监督管理委员会',
  documentType: 'DEPARTMENTAL_RULE',
  issuedOn: '2016-12-12',
  effectiveOn: '2017-07-01',
  validity: 'IN_FORCE',
};

const demo: DemoInterpretation[] = [
  {
    status: 'PUBLISHED',
    createdAt: '2012-01-04T09:00:00+08:00',
    publishedAt: '2012-01-05T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '坚持守法合规经营、反对不正当竞争：深圳地区证券营业部自律要求解读',
      summary: '协会就《关于深圳地区证券营业部坚持守法合规经营反对不正当竞争的若干意见和通知》答会员问：哪些营销行为属于不正当竞争，营业部应如何自查自纠。',
      audience: 'MEMBERS',
      tags: ['合规经营', '营业部', '不正当竞争', '自律规则'],
      sources: [
        {
          title: '关于深圳地区证券营业部坚持守法合规经营反对不正当竞争的若干意见和通知',
          // Typed with square brackets as in the published copy; stored normalised to 〔〕.
          documentNumber: '深证协会字[2011]022号',
          issuer: '深圳市证券业协会',
          documentType: 'SELF_REGULATORY_RULE',
          issuedOn: '2011-12-21',
        },
      ],
      body: `## 背景

近年来，深圳地区证券营业部数量快速增长，部分营业部以明显低于成本的佣金费率揽客、以返现或赠送礼品等方式招揽客户，个别人员还以不实宣传误导投资者。这些做法扰乱了市场秩序，也损害了投资者的合法权益。协会据此制定本通知，重申守法合规经营的底线，倡导以专业服务而非价格战开展竞争。

## 主要内容

1. **佣金定价**：营业部不得以低于服务成本的佣金水平开展恶性竞争，佣金标准应当公示，并与客户签订的协议一致。
2. **营销宣传**：宣传材料应当真实、准确，不得承诺收益，不得夸大或片面宣传，不得贬低同行。
3. **人员管理**：营业部对营销人员的执业行为负管理责任，不得以不正当利益诱导其他营业部员工带客户跳槽。
4. **自律检查**：协会将结合会员投诉和日常监测开展自律检查，对违反通知要求的会员采取自律措施。

## 对会员的影响与工作建议

- 营业部负责人应当组织一次合规自查，重点检查佣金审批记录、营销宣传材料和营销人员管理台账。
- 总部合规部门应当把营业部的营销行为纳入日常合规检查范围。
- 发现员工存在不当营销的，应当及时纠正并留存处理记录。`,
      qa: [
        {
          question: '营业部可以给新开户客户赠送礼品吗？',
          answer: '价值较小、与证券服务无关的纪念品一般不构成不正当竞争；以现金返还、高价值礼品或承诺收益吸引开户的，属于通知禁止的行为。',
          sourceArticle: null,
        },
        {
          question: '佣金费率由谁审批？',
          answer: '佣金标准应当由公司总部统一制定和审批，营业部不得自行突破公司的佣金授权；特殊费率应当有审批留痕。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2013-03-25T09:00:00+08:00',
    publishedAt: '2013-03-28T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '《证券公司分支机构监管规定》要点解读',
      summary: '证监会公告〔2013〕17号明确了分公司与证券营业部的定位、设立条件和日常管理要求。本文梳理对深圳地区证券公司分支机构的主要影响。',
      audience: 'MEMBERS',
      tags: ['分支机构', '营业部', '监管规定'],
      sources: [
        {
          title: '证券公司分支机构监管规定',
          documentNumber: '证监会公告〔2013〕17号',
          issuer: '中国证券监督管理委员会',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2013-03-15',
          effectiveOn: '2013-03-15',
        },
      ],
      body: `## 背景

证券公司分支机构是证券公司服务投资者的前沿阵地。随着营业部设立政策逐步放开，分支机构数量增加、类型多样化，监管部门需要统一分支机构的定位和管理要求。

## 主要内容

1. **分支机构类型**：分支机构包括分公司和证券营业部。分公司可以在授权范围内管理辖区内的营业部，证券营业部是从事证券业务的经营场所。
2. **总部统一管理**：证券公司应当对分支机构实行集中统一管理，在人员、财务、业务、合规和信息系统等方面建立有效的管控机制。
3. **负责人管理**：分支机构负责人应当具备相应的从业经历和管理能力，证券公司应当对其履职情况进行考核。
4. **合规与风险管理**：分支机构应当配备合规管理人员，落实客户身份识别、投资者适当性和客户资产保护等要求。

## 对会员的影响与工作建议

- 各公司应当对照规定梳理分支机构管理制度，重点完善授权管理和负责人考核。
- 分公司对辖区营业部的管理职责应当书面明确，避免多头管理。
- 营业部搬迁、撤销等事项应当按规定履行程序并妥善安置客户。`,
      qa: [
        {
          question: '分公司和营业部在职责上有什么区别？',
          answer: '分公司在公司授权范围内开展业务并可以管理辖区内的营业部；营业部是开展证券经纪等业务的经营场所，不承担对其他分支机构的管理职责。',
          sourceArticle: null,
        },
        {
          question: '营业部撤销时客户怎么办？',
          answer: '证券公司应当提前告知客户，妥善办理客户转移或销户，保障客户资产安全，并做好投资者沟通与解释工作。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2017-06-15T09:00:00+08:00',
    publishedAt: '2017-06-20T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '《证券期货投资者适当性管理办法》解读：把合适的产品卖给合适的投资者',
      summary: '《证券期货投资者适当性管理办法》（证监会令第130号）自2017年7月1日起施行。本文解读投资者分类、产品分级和适当性匹配要求，以及经营机构需要做的准备。',
      audience: 'PUBLIC',
      tags: ['投资者适当性', '投资者保护'],
      sources: [SUITABILITY_RULE],
      body: `## 背景

投资者适当性管理是资本市场保护投资者的基础性制度。过去各类产品和业务的适当性要求分散在不同规定中，标准不一。《证券期货投资者适当性管理办法》共43条，统一了证券期货市场的适当性管理要求，自2017年7月1日起施行。

## 主要内容

1. **投资者分类**：投资者分为普通投资者和专业投资者。普通投资者在信息告知、风险警示和适当性匹配等方面享有特别保护。
2. **风险承受能力分级**：普通投资者按风险承受能力由低到高分为 C1（含最低风险等级）、C2、C3、C4、C5 五类，分别对应保守型、相对保守型、稳健型、相对积极型和积极型。
3. **产品和服务分级**：产品或服务按风险由低到高分为 R1（低）、R2（中低）、R3（中）、R4（中高）、R5（高）五级。
4. **适当性匹配**：经营机构应当根据投资者的风险承受能力推荐相匹配的产品或服务。Cn 类投资者可以购买 R1 至 Rn 级产品；最低风险等级的 C1 投资者只能购买 R1 级产品。
5. **告知与留痕**：经营机构应当告知投资者适当性匹配意见及产品风险，并对适当性管理的全过程进行记录和保存。

## 对会员的影响与工作建议

- 完善投资者风险承受能力问卷，定期复核投资者分类结果。
- 建立产品和服务的风险等级评估机制，新产品上线前完成评级。
- 营业部一线人员应当接受投资者适当性管理培训，不得诱导投资者购买风险等级高于其承受能力的产品。`,
      qa: [
        {
          question: '普通投资者可以申请成为专业投资者吗？',
          answer: '符合规定条件的普通投资者可以书面申请转化为专业投资者，经营机构应当审查其条件并告知转化后可能承担的风险和丧失的特别保护。',
          sourceArticle: '第十一条',
        },
        {
          question: '投资者坚持购买风险等级高于其承受能力的产品怎么办？',
          answer: '经营机构应当向投资者作出不匹配的警示，投资者仍坚持购买的，应当经投资者书面确认后方可提供，最低风险等级的投资者除外。',
          sourceArticle: '第十九条',
        },
        {
          question: '适当性管理的资料要保存多久？',
          answer: '经营机构应当按规定保存投资者适当性管理相关资料，便于事后核查和纠纷处理，具体期限以办法和相关规定为准。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2018-10-10T09:00:00+08:00',
    publishedAt: '2018-10-15T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '行业标准 JR/T 0158—2018《证券期货业数据分类分级指引》解读',
      summary: '《证券期货业数据分类分级指引》于2018年9月27日发布实施，为证券期货经营机构开展数据分类、确定数据级别和实施差异化保护提供方法。',
      audience: 'PUBLIC',
      tags: ['数据安全', '数据分类分级', '金融科技'],
      sources: [
        {
          title: '证券期货业数据分类分级指引',
          documentNumber: 'JR/T 0158-2018',
          issuer: '中国证券监督管理委员会',
          documentType: 'INDUSTRY_STANDARD',
          issuedOn: '2018-09-27',
          effectiveOn: '2018-09-27',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

证券期货业是数据密集型行业，客户信息、交易数据和经营数据是机构的重要资产。数据安全保护的前提是知道有哪些数据、各自有多重要。本标准为行业提供了统一的数据分类分级方法。

## 主要内容

1. **数据分类**：按业务条线和数据用途对数据进行逐级细分，形成机构的数据资产目录。
2. **数据分级**：根据数据遭到篡改、破坏、泄露或非法利用后对国家安全、公众权益、个人隐私和机构利益的影响程度，确定数据的安全级别，级别越高保护要求越严格。
3. **动态管理**：数据的类别和级别应当随业务变化、数据汇聚等情况及时调整。
4. **差异化保护**：针对不同级别的数据，在访问控制、加密、脱敏、日志审计和数据共享等方面采取相应的安全措施。

## 对会员的影响与工作建议

- 信息技术部门与业务部门共同梳理数据资产，建立并维护数据目录。
- 对客户身份信息、账户信息和交易记录等敏感数据优先完成定级。
- 在系统建设和外包合作中落实数据分级保护要求，对外提供数据前进行安全评估。`,
      qa: [
        {
          question: '营业部保存的客户纸质资料也属于本标准的范围吗？',
          answer: '本标准主要针对数据资产。纸质资料经电子化后形成的数据应当纳入分类分级；纸质资料本身的保管仍应遵守公司档案管理和客户信息保护制度。',
          sourceArticle: null,
        },
        {
          question: '数据级别确定后还能调整吗？',
          answer: '可以。数据汇聚、用途变化或业务调整都可能改变数据的影响程度，机构应当定期复核并动态调整数据级别。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2019-02-25T09:00:00+08:00',
    publishedAt: '2019-03-01T10:00:00+08:00',
    author: 'REGULATOR',
    content: {
      title: '深圳辖区证券公司分支机构分类监管工作指引解读',
      summary: '深圳辖区自2019年起每年对证券公司分支机构评定 A、B、C、D 四类，经机构自评、协会自律评分和证监局复核调整三个环节确定结果。',
      audience: 'MEMBERS',
      tags: ['分支机构', '分类监管', '深圳辖区'],
      sources: [
        {
          title: '深圳辖区证券公司分支机构分类监管工作指引',
          issuer: '中国证券监督管理委员会深圳监管局',
        },
      ],
      body: `## 背景

深圳辖区证券分支机构数量多、分布广，监管资源有限。对分支机构实施分类监管，可以把监管资源集中到风险较高的机构，同时引导各分支机构提升合规经营水平。

## 主要内容

1. **评价结果**：分支机构的评价结果分为 A、B、C、D 四类，每年评价一次，自2019年开始。
2. **评价程序**：每年的评价结果依次经过三个环节——证券经营机构内部自评、深圳市证券业协会自律评分、深圳证监局复核调整。
3. **结果运用**：被评为 C 类的分支机构，由证监局约谈其负责人并要求提交整改报告；被评为 D 类的分支机构，列为证监局和协会的重点检查对象，证监局可以约谈公司分管经纪业务的高级管理人员和合规总监，并可以对分支机构负责人的任职适当性提出意见。

## 2020年的完善

证监局在总结首年工作的基础上优化了评价指标，明确了评价内容和程序，加强了结果运用，并要求每家证券公司指定一家在深圳的分支机构作为主要联系单位。新《证券法》将分支机构的设立由审批改为事后备案后，分类监管和协会自律管理的作用更加突出。

## 对会员的影响与工作建议

- 各公司应当指定专人负责自评工作，确保自评材料真实、完整。
- 对上一年度被评为 C 类或 D 类的分支机构，应当逐项跟踪整改情况。`,
      qa: [
        {
          question: '分支机构对评价结果有异议怎么办？',
          answer: '可以在结果通知规定的期限内，通过所属证券公司向协会或证监局书面说明理由并提供材料，由复核环节统一处理。',
          sourceArticle: null,
        },
        {
          question: '主要联系单位承担什么职责？',
          answer: '主要联系单位负责本公司在深圳各分支机构与证监局、协会之间的日常沟通，协调自评材料的报送和监管要求的传达。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2020-02-20T09:00:00+08:00',
    publishedAt: '2020-02-25T10:00:00+08:00',
    revisedAt: '2020-03-10T15:00:00+08:00',
    author: 'ASSOCIATION',
    note: '补充分支机构设立改为事后备案的问答',
    earlier: [
      {
        at: '2020-02-20T09:00:00+08:00',
        role: 'ASSOCIATION',
        changes: {
          title: '新《证券法》解读',
          qa: [
            {
              question: '新《证券法》什么时候施行？',
              answer: '2019年12月28日第十三届全国人大常委会第十五次会议审议通过，自2020年3月1日起施行。',
              sourceArticle: null,
            },
          ],
        },
      },
    ],
    content: {
      title: '新《证券法》对证券公司及其分支机构的影响解读',
      summary: '修订后的《证券法》自2020年3月1日起施行，共十四章二百二十六条，全面推行注册制，新增信息披露和投资者保护专章，大幅提高违法成本。本文梳理对证券公司及分支机构的主要影响。',
      audience: 'PUBLIC',
      tags: ['证券法', '注册制', '信息披露', '投资者保护'],
      sources: [
        {
          title: '中华人民共和国证券法（2019年修订）',
          documentNumber: '中华人民共和国主席令第三十七号',
          issuer: '全国人民代表大会常务委员会',
          documentType: 'LAW',
          issuedOn: '2019-12-28',
          effectiveOn: '2020-03-01',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

《证券法》是资本市场的基本法。2019年12月28日，第十三届全国人大常委会第十五次会议审议通过修订后的《证券法》，自2020年3月1日起施行。修订后的《证券法》共十四章二百二十六条。

## 主要内容

1. **全面推行注册制**：证券发行由核准制改为注册制，强化以信息披露为核心的发行制度。
2. **信息披露专章**：扩大信息披露义务人范围，要求披露的信息真实、准确、完整、简明清晰、通俗易懂。
3. **投资者保护专章**：明确证券公司的投资者适当性管理义务，普通投资者与证券公司发生纠纷时，由证券公司证明其行为符合规定；建立代表人诉讼制度。
4. **提高违法成本**：大幅提高罚款数额，强化对发行人、中介机构及其责任人员的追责。
5. **证券业务范围**：第一百二十条列明证券公司可以经营的业务，包括证券经纪、证券投资咨询、与证券交易和证券投资活动有关的财务顾问、证券承销与保荐、证券融资融券、证券做市交易、证券自营和其他证券业务。

## 对分支机构的影响

分支机构的设立由事前审批改为事后备案，公司可以更灵活地布局网点，但对分支机构的持续管理责任并未减轻。投资者适当性、客户资产保护和信息系统安全仍是检查重点。

## 对会员的影响与工作建议

- 对照新《证券法》修订内部制度，尤其是投资者适当性管理和信息披露相关制度。
- 对一线员工开展新法培训，确保在销售产品和提供服务时履行告知和适当性匹配义务。
- 建立分支机构设立、变更和撤销的备案台账。`,
      qa: [
        {
          question: '新《证券法》什么时候施行？',
          answer: '2019年12月28日第十三届全国人大常委会第十五次会议审议通过，自2020年3月1日起施行。',
          sourceArticle: null,
        },
        {
          question: '设立证券营业部还需要审批吗？',
          answer: '不需要事前审批。新《证券法》施行后，证券公司设立、收购或者撤销分支机构实行事后备案，但应当按规定及时报送备案材料，并对分支机构进行持续管理。',
          sourceArticle: '第一百二十二条',
        },
        {
          question: '投资者与证券公司发生适当性纠纷时谁来举证？',
          answer: '普通投资者与证券公司发生纠纷的，证券公司应当证明其行为符合法律、行政法规以及国务院证券监督管理机构的规定，不存在误导、欺诈等情形。',
          sourceArticle: '第八十九条',
        },
      ],
    },
  },
  {
    status: 'ARCHIVED',
    createdAt: '2020-07-15T09:00:00+08:00',
    publishedAt: '2020-07-20T10:00:00+08:00',
    archivedAt: '2025-09-05T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '2020年修订《证券公司分类监管规定》解读',
      summary: '证监会公告〔2020〕42号修订了《证券公司分类监管规定》：风险管理能力评价指标调整为六类，以100分为基础加减分，评价期为上一年5月1日至当年4月30日。',
      audience: 'MEMBERS',
      tags: ['分类监管', '分类评价'],
      sources: [
        {
          title: '关于修改《证券公司分类监管规定》的决定',
          documentNumber: '证监会公告〔2020〕42号',
          issuer: '中国证券监督管理委员会',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2020-07-10',
          effectiveOn: '2020-07-10',
          validity: 'AMENDED',
        },
        {
          title: '证券公司分类监管规定',
          documentNumber: '证监会公告〔2009〕12号',
          issuer: '中国证券监督管理委员会',
          documentType: 'NORMATIVE_DOCUMENT',
          validity: 'AMENDED',
        },
      ],
      body: `## 背景

《证券公司分类监管规定》于2009年发布，先后于2010年、2017年和2020年修订。分类监管以证券公司风险管理能力、持续合规状况为基础，结合公司业务发展状况，评价和确定证券公司的类别。

## 主要内容

1. **六类评价指标**：资本充足、公司治理与合规管理、全面风险管理、信息技术管理、客户权益保护、信息披露。
2. **评分方法**：正常经营的证券公司基准分为100分，在此基础上根据指标加分或扣分。
3. **类别**：证券公司分为 A（AAA、AA、A）、B（BBB、BB、B）、C（CCC、CC、C）、D、E 五大类十一个级别。
4. **评价期**：上一年5月1日至当年4月30日，评价结果一般于7月公布。
5. **结果运用**：分类结果用于配置监管资源、确定检查频率，证券公司不得将分类结果用于广告、宣传、营销等商业目的。`,
      qa: [
        {
          question: '分类结果可以用于宣传吗？',
          answer: '不可以。证券公司不得将分类结果用于广告、宣传、营销等商业目的。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2025-01-10T09:00:00+08:00',
    publishedAt: '2025-01-15T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '反洗钱（AML）工作要点：新修订《反洗钱法》施行后证券公司的义务',
      summary: '修订后的《中华人民共和国反洗钱法》自2025年1月1日起施行。本文梳理证券公司在客户尽职调查、可疑交易报告和洗钱风险管理方面的主要义务（AML / KYC / CDD）。',
      audience: 'MEMBERS',
      tags: ['反洗钱', 'AML', '客户尽职调查'],
      sources: [
        {
          title: '中华人民共和国反洗钱法（2024年修订）',
          issuer: '全国人民代表大会常务委员会',
          documentType: 'LAW',
          issuedOn: '2024-11-08',
          effectiveOn: '2025-01-01',
          validity: 'IN_FORCE',
        },
        {
          title: '金融机构反洗钱和反恐怖融资监督管理办法',
          documentNumber: '中国人民银行令〔2021〕第3号',
          issuer: '中国人民银行',
          documentType: 'DEPARTMENTAL_RULE',
          issuedOn: '2021-04-15',
          effectiveOn: '2021-08-01',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

反洗钱（Anti-Money Laundering，AML）是证券公司的一项法定义务。修订后的《反洗钱法》进一步明确了金融机构的反洗钱内部控制、客户尽职调查和风险管理要求，证券公司及其分支机构需要相应调整制度和系统。

## 主要内容

1. **洗钱风险管理**：证券公司应当建立与其业务规模和风险状况相适应的反洗钱内部控制制度，定期开展洗钱风险自评估。
2. **客户尽职调查（CDD）**：在建立业务关系和办理业务时识别并核实客户身份，了解客户的交易目的和性质，识别受益所有人；对高风险客户采取强化尽职调查措施。这也就是通常所说的“了解你的客户”（KYC）。
3. **大额交易和可疑交易报告**：按规定报告大额交易，发现可疑交易时及时提交可疑交易报告，不得向客户泄露报告情况。
4. **资料保存**：按规定期限保存客户身份资料和交易记录，确保能够完整重现每笔交易。

## 对分支机构的要求

营业部是客户身份识别的第一道关口。营业部应当指定反洗钱岗位人员，在开户、销户、账户信息变更和非柜台业务等环节落实身份核验，并配合总部的可疑交易监测与分析工作。

## 工作建议

- 更新反洗钱内控制度和客户洗钱风险等级划分标准。
- 对营业部员工开展反洗钱（AML）专题培训，每年至少一次。
- 检查反洗钱监测系统的规则设置是否覆盖新增的风险情形。`,
      qa: [
        {
          question: '营业部发现客户交易可疑时应当怎么做？',
          answer: '应当按公司制度及时上报总部反洗钱部门，由总部分析后决定是否提交可疑交易报告；营业部人员不得向客户透露相关情况。',
          sourceArticle: null,
        },
        {
          question: 'AML 和 KYC 是什么关系？',
          answer: 'AML 指反洗钱工作的整体；KYC（了解你的客户）和 CDD（客户尽职调查）是反洗钱的基础措施，贯穿客户关系的整个存续期间。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2025-09-01T09:00:00+08:00',
    publishedAt: '2025-09-05T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '《证券公司分类评价规定》解读：从“分类监管”到“分类评价”',
      summary: '《证券公司分类监管规定》更名为《证券公司分类评价规定》，自2025年8月22日起施行。评价基础增加“功能发挥”，扣分标准按措施轻重细化。',
      audience: 'MEMBERS',
      tags: ['分类评价', '分类监管'],
      sources: [
        {
          title: '证券公司分类评价规定',
          issuer: '中国证券监督管理委员会',
          effectiveOn: '2025-08-22',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

证券公司分类制度自2009年建立以来，对引导证券公司合规经营、提升风险管理能力发挥了重要作用。2025年的修订将规定更名为《证券公司分类评价规定》，自2025年8月22日起施行，更加突出评价结果对证券公司功能发挥的引导作用。

## 主要变化

1. **评价基础**：以证券公司风险管理能力、持续合规状况为基础，结合公司“业务发展和功能发挥状况”进行评价。
2. **扣分标准细化**：按措施轻重分档扣分。限制业务活动的，期限在6个月以内扣2.5分、超过6个月扣3分；警告或罚款扣3.5分；没收违法所得扣4分；暂停业务许可扣6分；撤销业务许可或受到刑事处罚扣8分。
3. **鼓励主动纠错**：适用行政执法当事人承诺制度或先行赔付的，扣分最多不超过1分。
4. **延续的做法**：基准分仍为100分，评价期仍为上一年5月1日至当年4月30日。

## 对会员的影响与工作建议

- 对照新的扣分标准评估本公司近一个评价期内的监管措施和处罚情况。
- 重视功能发挥类指标，做好服务实体经济和投资者的相关材料准备。
- 分类评价结果仍不得用于广告、宣传和营销。`,
      qa: [
        {
          question: '2025年评价采用新规定还是旧规定？',
          answer: '以证监会的评价工作通知为准。新规定自2025年8月22日起施行，此前已经启动的评价工作按通知要求执行。',
          sourceArticle: null,
        },
        {
          question: '先行赔付后还会扣分吗？',
          answer: '会，但扣分最多不超过1分，以鼓励证券公司主动赔偿投资者损失、纠正违法违规行为。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'DRAFT',
    createdAt: '2025-10-20T09:00:00+08:00',
    revisedAt: '2025-11-03T09:00:00+08:00',
    author: 'ASSOCIATION',
    note: '根据合规专业委员会意见补充分支机构合规管理要求',
    earlier: [
      {
        at: '2025-10-20T09:00:00+08:00',
        role: 'ASSOCIATION',
        note: '初稿',
        changes: {
          summary: '解读《证券公司和证券投资基金管理公司合规管理办法》的主要要求（初稿）。',
          body: `## 背景

合规管理是证券基金经营机构稳健经营的基础。

## 主要内容

1. 合规总监由董事会任命，向董事会负责。
2. 合规部门独立于业务部门。`,
          qa: [],
        },
      },
    ],
    content: {
      title: '《证券公司和证券投资基金管理公司合规管理办法》解读（征求意见稿）',
      summary: '解读合规管理办法对合规总监、合规部门和分支机构合规管理的要求，供会员合规负责人参考，正式稿发布前欢迎提出意见。',
      audience: 'MEMBERS',
      tags: ['合规管理', '合规总监'],
      sources: [
        {
          title: '证券公司和证券投资基金管理公司合规管理办法',
          documentNumber: '证监会令第166号',
          issuer: '中国证券监督管理委员会',
          documentType: 'DEPARTMENTAL_RULE',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

合规管理是证券基金经营机构稳健经营的基础。合规管理办法明确了经营机构及其工作人员的合规义务，要求全面覆盖各项业务、各个部门、各级分支机构和全体工作人员。

## 主要内容

1. **合规总监**：合规总监是经营机构的高级管理人员，由董事会决定聘任，对内向董事会负责，对公司及其工作人员的经营管理和执业行为的合规性进行审查、监督和检查。
2. **独立性保障**：合规总监和合规部门独立履职，公司不得安排其兼任与合规管理职责相冲突的职务，不得干涉其履行职责。
3. **合规部门**：经营机构应当设立合规部门，配备足够的、具备专业能力的合规人员。
4. **分支机构合规管理**：各分支机构应当设立合规管理岗位或指定合规管理人员，合规管理人员不得兼任与合规管理职责相冲突的职务。
5. **合规考核与问责**：合规管理的有效性应当纳入对各部门、各分支机构和工作人员的考核。

## 对会员的影响与工作建议

- 检查合规总监的履职保障，包括知情权、调查权和报告渠道。
- 营业部的合规管理人员应当定期向总部合规部门报告合规情况。`,
      qa: [
        {
          question: '营业部负责人可以兼任合规管理人员吗？',
          answer: '不宜兼任。合规管理人员不得兼任与合规管理职责相冲突的职务，营业部负责人承担经营职责，兼任合规管理人员存在利益冲突。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'DRAFT',
    createdAt: '2025-11-20T09:00:00+08:00',
    author: 'REGULATOR',
    content: {
      title: '投资者教育：看懂风险等级，选择适合自己的产品',
      summary: '面向普通投资者的适当性知识问答：风险承受能力 C1–C5 与产品风险等级 R1–R5 如何匹配，证券公司为什么要做风险测评。',
      audience: 'PUBLIC',
      tags: ['投资者适当性', '投资者教育'],
      sources: [SUITABILITY_RULE],
      body: `## 为什么要做风险测评

在证券公司开户或购买理财产品时，工作人员会请您填写风险承受能力问卷。这是投资者适当性管理的要求，目的是了解您的投资经验、财务状况和风险偏好，向您推荐适合的产品。

## 风险等级怎么匹配

普通投资者的风险承受能力由低到高分为 C1 至 C5，产品和服务的风险等级由低到高分为 R1 至 R5。一般来说，C3 稳健型投资者可以购买 R1、R2、R3 级产品；最低风险等级的 C1 投资者只能购买 R1 级产品。

## 温馨提示

- 如实填写问卷，不要为了购买某个产品而刻意提高测评结果。
- 收入、资产或投资目标发生变化时，及时重新测评。
- 遇到承诺保本保收益的宣传，请提高警惕。`,
      qa: [
        {
          question: '测评结果过期了怎么办？',
          answer: '可以通过证券公司的营业部或线上渠道重新测评，测评结果更新后适当性匹配将按新结果执行。',
          sourceArticle: null,
        },
      ],
    },
  },
  // The topics members ask about most (issue 24): wealth management, brokerage transformation, the dual zones.
  {
    status: 'PUBLISHED',
    createdAt: '2021-03-08T09:00:00+08:00',
    publishedAt: '2021-03-12T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '财富管理转型中的资管产品销售：资管新规与投资者适当性要点',
      summary: '资管新规过渡期于2021年底结束，净值化产品成为财富管理的主流。本文梳理证券公司分支机构代销资管产品、开展财富管理业务时打破刚性兑付、适当性匹配和宣传推介的要求。',
      audience: 'MEMBERS',
      tags: ['财富管理', '资管新规', '投资者适当性', '代销'],
      sources: [
        {
          title: '关于规范金融机构资产管理业务的指导意见',
          documentNumber: '银发〔2018〕106号',
          issuer: '中国人民银行、中国银行保险监督管理委员会、中国证券监督管理委员会、国家外汇管理局',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2018-04-27',
          effectiveOn: '2018-04-27',
          validity: 'IN_FORCE',
        },
        SUITABILITY_RULE,
      ],
      body: `## 背景

居民财富配置从存款、房产转向金融资产，证券公司从通道型经纪业务转向以客户资产配置为中心的财富管理。《关于规范金融机构资产管理业务的指导意见》（资管新规）要求资管产品打破刚性兑付、实行净值化管理，过渡期至2021年底结束。

## 对分支机构财富管理业务的要求

1. **不得承诺保本保收益**：向客户推介资管产品时，不得以任何方式承诺本金不受损失或者承诺最低收益。
2. **适当性匹配**：按照《证券期货投资者适当性管理办法》了解客户，评估产品风险等级，把合适的产品卖给合适的投资者，并留存匹配记录。
3. **宣传推介**：宣传材料须经公司合规审查，如实揭示产品风险，不得夸大过往业绩。
4. **人员资质**：从事产品销售和投资顾问服务的人员须具备相应执业资格并在协会登记。

## 工作建议

- 以客户资产配置需求为中心设计服务流程，逐步从"卖产品"转向"做配置"。
- 加强对营业部员工的财富管理培训，重点是净值化产品的风险揭示和适当性管理。
- 建立客户回访机制，对高龄、首次购买较高风险产品的客户重点回访。`,
      qa: [
        {
          question: '营业部员工可以向客户口头承诺理财产品"稳赚不赔"吗？',
          answer: '不可以。资管新规要求打破刚性兑付，金融机构不得承诺保本保收益；员工的此类承诺属于违规行为，公司须承担相应责任。',
          sourceArticle: null,
        },
        {
          question: '客户风险承受能力低于产品风险等级，但客户坚持购买怎么办？',
          answer: '应按适当性规定向客户作出风险警示；普通投资者主动要求购买风险等级高于其承受能力的产品，须书面确认并由公司按规定审慎处理，最低风险等级的投资者不得购买高于其风险承受能力的产品。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2023-04-10T09:00:00+08:00',
    publishedAt: '2023-04-14T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '经纪业务转型：营业部从交易通道到综合金融服务',
      summary: '佣金率持续下行、线上开户普及，证券营业部的功能正在改变。结合新《证券法》和《证券经纪业务管理办法》，梳理经纪业务转型中营业部定位、客户招揽和员工管理的合规要点。',
      audience: 'PUBLIC',
      tags: ['经纪业务转型', '营业部', '财富管理', '证券法'],
      sources: [
        {
          title: '中华人民共和国证券法（2019年修订）',
          documentNumber: '中华人民共和国主席令第三十七号',
          issuer: '全国人民代表大会常务委员会',
          documentType: 'LAW',
          issuedOn: '2019-12-28',
          effectiveOn: '2020-03-01',
          validity: 'IN_FORCE',
        },
        {
          title: '证券经纪业务管理办法',
          issuer: '中国证券监督管理委员会',
          documentType: 'DEPARTMENTAL_RULE',
          effectiveOn: '2023-03-01',
          validity: 'IN_FORCE',
        },
      ],
      body: `## 背景

网上开户和移动交易普及以后，证券营业部作为"交易通道"的作用明显下降，行业平均佣金率持续走低。新《证券法》施行后分支机构设立改为事后备案，网点布局更灵活；《证券经纪业务管理办法》自2023年3月1日起施行，系统规定了客户招揽、账户管理、交易委托和客户回访等经纪业务各环节的要求。

## 转型方向

1. **从交易通道到综合金融服务**：营业部以客户需求为中心，提供资产配置、投资顾问、融资融券、机构业务协同等综合服务。
2. **轻型化网点**：小型化、智能化营业部增多，线上线下协同服务客户。
3. **专业队伍**：投资顾问人数和专业能力成为营业部竞争力的核心。

## 合规要点

- 客户招揽须由公司统一管理，营销人员展业须有公司授权，不得以不正当手段招揽客户。
- 不得以低于成本的佣金开展不正当竞争，佣金标准须向客户公示。
- 开展投资顾问服务须签订协议、揭示风险，不得代客理财、承诺收益。
- 做好员工执业行为管理，防范"飞单"、私下代客操作等风险。`,
      qa: [
        {
          question: '营业部可以委托第三方机构招揽客户吗？',
          answer: '证券公司应当对客户招揽活动统一管理，不得委托不具备资格的机构或个人从事客户招揽；与第三方合作须符合规定并对合作方的行为承担管理责任。',
          sourceArticle: null,
        },
        {
          question: '经纪业务转型中营业部还需要现场服务吗？',
          answer: '需要。线上服务普及后，营业部仍承担客户身份识别、适当性管理、投资者教育和复杂业务服务等职能，只是服务方式更多采用线上线下结合。',
          sourceArticle: null,
        },
      ],
    },
  },
  {
    status: 'PUBLISHED',
    createdAt: '2023-09-18T09:00:00+08:00',
    publishedAt: '2023-09-22T10:00:00+08:00',
    author: 'ASSOCIATION',
    content: {
      title: '"双区"建设与前海、河套：深圳证券机构的机遇与合规要点',
      summary: '粤港澳大湾区和中国特色社会主义先行示范区（"双区"）建设，以及前海、河套两个合作区的方案和规划，为深圳证券机构开展跨境业务、服务科技创新带来机遇。本文梳理相关文件和会员关心的问题。',
      audience: 'PUBLIC',
      tags: ['双区', '前海', '河套', '粤港澳大湾区', '先行示范区', '跨境金融'],
      sources: [
        {
          title: '粤港澳大湾区发展规划纲要',
          issuer: '中共中央、国务院',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2019-02-18',
          validity: 'IN_FORCE',
        },
        {
          title: '中共中央 国务院关于支持深圳建设中国特色社会主义先行示范区的意见',
          issuer: '中共中央、国务院',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2019-08-09',
          validity: 'IN_FORCE',
        },
        {
          title: '全面深化前海深港现代服务业合作区改革开放方案',
          issuer: '中共中央、国务院',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2021-09-06',
          validity: 'IN_FORCE',
        },
        {
          title: '河套深港科技创新合作区深圳园区发展规划',
          documentNumber: '国发〔2023〕12号',
          issuer: '国务院',
          documentType: 'NORMATIVE_DOCUMENT',
          issuedOn: '2023-08-08',
          validity: 'IN_FORCE',
        },
      ],
      body: `## "双区"是什么

"双区"指粤港澳大湾区和深圳中国特色社会主义先行示范区。《粤港澳大湾区发展规划纲要》提出建设国际金融枢纽、有序推进金融市场互联互通；《关于支持深圳建设中国特色社会主义先行示范区的意见》提出提高金融服务实体经济能力、促进与香港金融市场互联互通。

## 前海与河套

- **前海**：《全面深化前海深港现代服务业合作区改革开放方案》扩展前海合作区范围，提出深化与港澳服务贸易自由化、扩大金融业对外开放，支持在前海开展跨境金融业务创新。
- **河套**：《河套深港科技创新合作区深圳园区发展规划》定位于深港科技创新合作，金融服务的重点是支持科技企业全生命周期融资。

## 对证券机构的机遇

1. 跨境理财通、互联互通机制下的跨境财富管理服务。
2. 服务大湾区科技创新企业的投行、研究和并购业务。
3. 在前海设立或发展创新业务总部、跨境业务平台。

## 合规要点

- 跨境业务须严格遵守外汇管理、客户身份识别和投资者适当性要求，不得违规向境内投资者推介境外产品。
- 与港澳机构合作须明确各方责任，防范监管套利。
- 会员对"双区"政策落地有意见建议的，可通过协会的建议征集渠道提交，由协会汇总后转送有关部门。`,
      qa: [
        {
          question: '营业部可以向客户推介香港市场的理财产品吗？',
          answer: '只能在法律法规和监管规定允许的渠道内开展，例如跨境理财通等互联互通机制，并须履行适当性管理和风险揭示义务；不得私下推介未经许可的境外产品。',
          sourceArticle: null,
        },
        {
          question: '会员对前海、河套政策有建议，如何反映？',
          answer: '可通过协会的会员建议征集渠道提交，协会定期汇总，形成汇总报告转送前海管理局、河套有关机构和市有关部门，并跟踪反馈。',
          sourceArticle: null,
        },
      ],
    },
  },
];

/** Seeds the demo interpretations, their source documents and revision history: three batch inserts. */
export async function seedPolicyInterpretations(db: DbOrTx): Promise<{ policyInterpretations: number }> {
  const normalized = demo.map((item) => {
    const sources: PolicySourceSnapshot[] = item.content.sources.map((s) => {
      const documentNumber = s.documentNumber ? normalizeDocumentNumber(s.documentNumber) : null;
      if (documentNumber && !isValidDocumentNumber(documentNumber, '2026-01-01')) throw new Error(`demo document number ${documentNumber} is invalid`);
      return {
        title: s.title,
        documentNumber,
        issuer: s.issuer ?? null,
        documentType: s.documentType ?? null,
        issuedOn: s.issuedOn ?? null,
        effectiveOn: s.effectiveOn ?? null,
        validity: s.validity ?? null,
      };
    });
    return { item, content: { ...item.content, sources } as PolicyRevisionSnapshot };
  });

  const inserted = await db
    .insert(policyInterpretationsTable)
    .values(
      normalized.map(({ item, content }) => {
        const lastChange = [item.createdAt, item.publishedAt, item.revisedAt, item.archivedAt]
          .filter((at): at is string => at !== undefined)
          .map((at) => new Date(at))
          .sort((a, b) => b.getTime() - a.getTime())[0]!;
        return {
          associationId: ASSOCIATION_IDS.SZSA,
          ...contentColumns(content),
          status: item.status,
          revision: (item.earlier?.length ?? 0) + 1,
          publishedAt: item.publishedAt ? new Date(item.publishedAt) : null,
          archivedAt: item.archivedAt ? new Date(item.archivedAt) : null,
          createdAt: new Date(item.createdAt),
          updatedAt: lastChange,
        };
      }),
    )
    .returning({ id: policyInterpretationsTable.id });

  const sources = normalized.flatMap(({ content }, i) =>
    content.sources.map((s, position) => ({ ...s, interpretationId: inserted[i]!.id, position })),
  );
  if (sources.length > 0) await db.insert(policySourcesTable).values(sources);

  const revisions = normalized.flatMap(({ item, content }, i) => {
    const interpretationId = inserted[i]!.id;
    const earlier = (item.earlier ?? []).map((e, k) => ({
      interpretationId,
      revision: k + 1,
      content: { ...content, ...e.changes },
      note: e.note ?? null,
      actorSub: `demo:${e.role.toLowerCase()}`,
      actorRole: e.role,
      createdAt: new Date(e.at),
    }));
    return [
      ...earlier,
      {
        interpretationId,
        revision: earlier.length + 1,
        content,
        note: item.note ?? null,
        actorSub: `demo:${item.author.toLowerCase()}`,
        actorRole: item.author,
        createdAt: new Date(item.revisedAt ?? item.createdAt),
      },
    ];
  });
  await db.insert(policyRevisionsTable).values(revisions);
  return { policyInterpretations: inserted.length };
}
