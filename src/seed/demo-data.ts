// The demo data set: fictitious securities firms, their Shenzhen branches, other members, listed companies, their
// memberships of the two associations (深证协 SZSA, 深圳上市公司协会 SZLCA; a listed securities firm is a member of
// both), at Shenzhen's scale (18 securities firms, 560 branches, 547
// open; DOMAIN.md §15.6). Every name is invented (no real firm may appear: ratings get attached later, which is why
// 招商证券's real A + H listings are test vectors, not demo rows); identifiers are made-up but valid under every rule
// (GB 32100 credit codes with GB 11714 organization codes, in-range listings). Deterministic: a seeded PRNG, no clock.
// The associations' professional committees are seeded by src/committees/committees.seed.ts.
import { Rng } from './prng.js';
import { count } from 'drizzle-orm';
import { ASSOCIATION_IDS, primaryAssociationOf } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { checkCreditCode, creditCodeCheckCharacter, organizationCodeCheckCharacter, parseListing, type StockExchange } from '../members/identifiers.js';
import {
  branchesTable,
  contactsTable,
  districtEnum,
  listingsTable,
  membershipEventsTable,
  membershipsTable,
  organizationsTable,
} from '../members/members.table.js';

type District = (typeof districtEnum.enumValues)[number];
type OrgInsert = typeof organizationsTable.$inferInsert;
type OrgKind = OrgInsert['kind'];
type Category = NonNullable<OrgInsert['membershipCategory']>;
type BranchInsert = typeof branchesTable.$inferInsert;
type ContactInsert = typeof contactsTable.$inferInsert;
type EventInsert = typeof membershipEventsTable.$inferInsert;

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness


// Separate streams per section, so editing one section does not reshuffle the others.
const SEED = 0x5a0755;

// ---------------------------------------------------------------------------------------------------------------
// Places

const DISTRICT_ZH: Record<District, string> = {
  FUTIAN: '福田区',
  LUOHU: '罗湖区',
  NANSHAN: '南山区',
  BAOAN: '宝安区',
  LONGGANG: '龙岗区',
  YANTIAN: '盐田区',
  LONGHUA: '龙华区',
  PINGSHAN: '坪山区',
  GUANGMING: '光明区',
  DAPENG: '大鹏新区',
  SHENSHAN: '深汕特别合作区',
};

/**
 * A road (or place) that names a sales department (深圳{label}证券营业部) and gives its address
 * (深圳市{区}{street}{n}号), with the range of house numbers the road really has, so addresses read plausibly
 * (深南大道6011号, 福华一路98号; not 华强北路7634号). Ranges are the demo's reading of each road's scale.
 */
interface Road {
  label: string;
  street: string;
  district: District;
  min: number;
  max: number;
}

const road = (district: District, label: string, min: number, max: number, street = label): Road => ({ label, street, district, min, max });

const ROADS: Road[] = [
  // 福田
  road('FUTIAN', '深南大道', 6001, 7888), road('FUTIAN', '益田路', 3001, 6009), road('FUTIAN', '金田路', 2030, 4028),
  road('FUTIAN', '福华一路', 1, 138), road('FUTIAN', '福华三路', 88, 268), road('FUTIAN', '民田路', 1, 178),
  road('FUTIAN', '新洲路', 1, 900), road('FUTIAN', '彩田路', 2001, 7018), road('FUTIAN', '皇岗路', 1001, 5001),
  road('FUTIAN', '华强北路', 1001, 2008), road('FUTIAN', '福中三路', 1001, 2008), road('FUTIAN', '中心四路', 1, 33),
  road('FUTIAN', '红荔西路', 7001, 8288), road('FUTIAN', '车公庙', 1, 60, '泰然九路'), road('FUTIAN', '香蜜湖', 1001, 1099, '香梅路'),
  road('FUTIAN', '景田', 1, 99, '景田北路'), road('FUTIAN', '梅林', 1, 63, '梅林路'), road('FUTIAN', '农园路', 1, 80),
  road('FUTIAN', '福强路', 1001, 3000), road('FUTIAN', '上步中路', 1001, 1099), road('FUTIAN', '滨河大道', 5003, 9289),
  road('FUTIAN', '莲花路', 1001, 2089), road('FUTIAN', '八卦岭', 1, 100, '八卦三路'), road('FUTIAN', '侨香路', 2001, 4080),
  road('FUTIAN', '岗厦', 3001, 3069, '彩田路'), road('FUTIAN', '竹子林', 1, 68, '竹子林四路'), road('FUTIAN', '下沙', 1, 120, '沙嘴路'),
  road('FUTIAN', '园岭', 1, 60, '园岭东路'), road('FUTIAN', '华富路', 1001, 1068), road('FUTIAN', '沙头', 1, 200, '福强路'),
  // 罗湖
  road('LUOHU', '深南东路', 1001, 5047), road('LUOHU', '红岭中路', 1001, 2068), road('LUOHU', '宝安南路', 1001, 3097),
  road('LUOHU', '建设路', 1001, 3000), road('LUOHU', '人民南路', 1001, 3018), road('LUOHU', '东门', 1001, 2000, '东门中路'),
  road('LUOHU', '翠竹路', 1001, 2080), road('LUOHU', '笋岗', 1001, 3012, '笋岗东路'), road('LUOHU', '春风路', 1001, 3000),
  road('LUOHU', '文锦中路', 1001, 2000), road('LUOHU', '太宁路', 1, 150), road('LUOHU', '和平路', 1001, 3399),
  road('LUOHU', '嘉宾路', 2001, 4062), road('LUOHU', '爱国路', 1001, 3001), road('LUOHU', '黄贝岭', 1001, 2000, '沿河北路'),
  road('LUOHU', '布心', 1, 100, '贝丽北路'), road('LUOHU', '莲塘', 1, 300, '罗沙路'), road('LUOHU', '田贝', 1, 200, '田贝四路'),
  // 南山
  road('NANSHAN', '科技园', 2600, 3300, '科苑南路'), road('NANSHAN', '后海', 1, 1288, '海德三道'), road('NANSHAN', '后海大道', 1001, 3000),
  road('NANSHAN', '前海', 5001, 6088, '前海深港合作区梦海大道'), road('NANSHAN', '前海桂湾', 1, 200, '前海深港合作区桂湾五路'),
  road('NANSHAN', '蛇口', 1001, 1200, '望海路'), road('NANSHAN', '海岸城', 1, 50, '文心五路'), road('NANSHAN', '南油', 1001, 4050, '南海大道'),
  road('NANSHAN', '西丽', 1001, 4500, '留仙大道'), road('NANSHAN', '南山大道', 1001, 4000), road('NANSHAN', '沙河西路', 3001, 3300),
  road('NANSHAN', '白石路', 1001, 3000), road('NANSHAN', '桃园路', 1, 300), road('NANSHAN', '创业路', 1001, 3000),
  road('NANSHAN', '华侨城', 9001, 9300, '深南大道'), road('NANSHAN', '滨海大道', 2001, 3398), road('NANSHAN', '高新园', 1, 60, '高新南九道'),
  road('NANSHAN', '南头', 1, 300, '南头街'), road('NANSHAN', '工业八路', 1, 200), road('NANSHAN', '学府路', 1, 300),
  // 宝安
  road('BAOAN', '宝安大道', 4001, 8000), road('BAOAN', '西乡', 1, 600, '西乡大道'), road('BAOAN', '宝安中心区', 1001, 1100, '创业一路'),
  road('BAOAN', '新湖路', 1, 100), road('BAOAN', '建安一路', 1, 100), road('BAOAN', '航城大道', 1, 300), road('BAOAN', '沙井', 1, 500, '新沙路'),
  road('BAOAN', '福永', 1, 200, '福永大道'), road('BAOAN', '松岗', 1, 100, '松岗大道'), road('BAOAN', '新安', 1001, 1100, '新安六路'),
  road('BAOAN', '石岩', 1, 300, '石岩塘头大道'),
  // 龙岗
  road('LONGGANG', '龙岗中心城', 1001, 8288, '龙岗大道'), road('LONGGANG', '龙城大道', 1, 100), road('LONGGANG', '布吉', 1001, 1100, '布吉路'),
  road('LONGGANG', '龙翔大道', 7001, 9009), road('LONGGANG', '坂田', 1, 300, '五和大道'), road('LONGGANG', '坂雪岗大道', 1001, 4000),
  road('LONGGANG', '横岗', 1, 300, '横岗大道'), road('LONGGANG', '吉华路', 1, 600), road('LONGGANG', '平湖', 1, 200, '平湖大街'),
  // 龙华
  road('LONGHUA', '龙华人民路', 1001, 4000, '人民路'), road('LONGHUA', '民治', 1, 500, '民治大道'), road('LONGHUA', '观澜', 1, 300, '观澜大道'),
  road('LONGHUA', '梅龙大道', 1, 2000), road('LONGHUA', '龙华大道', 1001, 3639), road('LONGHUA', '大浪', 1, 200, '华荣路'),
  // 盐田、光明、坪山、大鹏
  road('YANTIAN', '沙头角', 1001, 2020, '深盐路'), road('YANTIAN', '盐田港', 1, 100, '盐田路'), road('YANTIAN', '梅沙', 1, 200, '环梅路'),
  road('GUANGMING', '光明', 1, 500, '光明大道'), road('GUANGMING', '公明', 1, 100, '华夏路'),
  road('PINGSHAN', '坪山', 1, 500, '坪山大道'), road('PINGSHAN', '坪山东纵路', 1, 300, '东纵路'),
  road('DAPENG', '葵涌', 1, 200, '葵涌中心路'),
];

/**
 * Where Shenzhen's sales departments are, in shares of the network (demo convention after DOMAIN.md §3.4 and §15.6):
 * most in 福田, 南山 and 罗湖, fewer in 宝安, 龙岗 and 龙华, a few in 盐田, 光明, 坪山 and 大鹏.
 */
const DISTRICT_WEIGHTS: [District, number][] = [
  ['FUTIAN', 33], ['NANSHAN', 20], ['LUOHU', 17], ['BAOAN', 9], ['LONGGANG', 8], ['LONGHUA', 6],
  ['YANTIAN', 2], ['GUANGMING', 2], ['PINGSHAN', 2], ['DAPENG', 1],
];
const CORE_DISTRICTS: District[] = ['FUTIAN', 'LUOHU', 'NANSHAN'];

/** Sales departments opened after 2020 (not part of the 2020 network), and closed ones before and since 2020. */
const OPENED_SINCE_2020 = 8;
const CLOSED_BEFORE_2020 = 3;
const CLOSED_SINCE_2020 = 10;

function pickDistrict(rng: Rng): District {
  const total = DISTRICT_WEIGHTS.reduce((n, [, w]) => n + w, 0);
  let x = rng.float() * total;
  for (const [district, weight] of DISTRICT_WEIGHTS) {
    x -= weight;
    if (x < 0) return district;
  }
  return 'FUTIAN';
}

function roadAddress(rng: Rng, r: Road): string {
  return `深圳市${DISTRICT_ZH[r.district]}${r.street}${rng.int(r.min, r.max)}号`;
}

function shenzhenAddress(rng: Rng, district: District): string {
  return roadAddress(rng, rng.pick(ROADS.filter((r) => r.district === district)));
}

// ---------------------------------------------------------------------------------------------------------------
// Organizations (all fictitious)

interface OrgSpec {
  kind: OrgKind;
  name: string;
  shortName: string;
  nameEn: string;
  /** Made-up e-mail domain of the contacts. */
  domain: string;
  /** Null for a firm registered outside Shenzhen. */
  district: District | null;
  /** For firms registered outside Shenzhen: their address, the 8-character credit code prefix and phone area code. */
  elsewhere?: { address: string; codePrefix: string; phoneArea: string };
  /** Credit code registration-authority prefix other than an enterprise's (e.g. a 民办非企业单位). */
  codePrefix?: string;
  stock?: `${string}.${StockExchange}`;
  /** A second listing on HKEX (A + H shares); the A share stays the primary listing. */
  hShare?: `${string}.HK`;
  memberSince: string | null;
  category: Category;
  suspendedOn?: string;
  /**
   * Securities firms: number of Shenzhen sales departments and whether there is a 深圳分公司. A few firms have
   * dozens, a tail a handful; together about 560, Shenzhen's network (DOMAIN.md §15.6).
   */
  salesDepartments?: number;
  branchCompany?: boolean;
  /** A listed organization whose primary association is another (a listed securities firm): its SZLCA membership too. */
  alsoSzlca?: { since: string; category: Category };
}

const ORGS: OrgSpec[] = [
  // Securities firms
  { kind: 'SECURITIES_FIRM', name: '鹏城证券股份有限公司', shortName: '鹏城证券', nameEn: 'Pengcheng Securities Co., Ltd.', domain: 'pengchengsec.com.cn', district: 'FUTIAN', stock: '001518.SZ', hShare: '6198.HK', memberSince: '1994-09-28', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 64, branchCompany: true, alsoSzlca: { since: '2015-03-20', category: 'COUNCIL_UNIT' } },
  { kind: 'SECURITIES_FIRM', name: '深南证券股份有限公司', shortName: '深南证券', nameEn: 'Shennan Securities Co., Ltd.', domain: 'shennansec.com.cn', district: 'FUTIAN', stock: '601596.SH', hShare: '6196.HK', memberSince: '1994-09-28', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 60, branchCompany: true, alsoSzlca: { since: '2016-07-12', category: 'ORDINARY' } },
  { kind: 'SECURITIES_FIRM', name: '莲花山证券股份有限公司', shortName: '莲花山证券', nameEn: 'Lianhuashan Securities Co., Ltd.', domain: 'lhssec.com.cn', district: 'FUTIAN', memberSince: '1995-03-16', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 48, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '前海汇通证券有限责任公司', shortName: '前海汇通证券', nameEn: 'Qianhai Huitong Securities Co., Ltd.', domain: 'qhhtsec.com.cn', district: 'NANSHAN', memberSince: '2016-08-18', category: 'COUNCIL_UNIT', salesDepartments: 30, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '梧桐山证券股份有限公司', shortName: '梧桐山证券', nameEn: 'Wutongshan Securities Co., Ltd.', domain: 'wtssec.com.cn', district: 'LUOHU', stock: '003562.SZ', memberSince: '1996-01-10', category: 'COUNCIL_UNIT', salesDepartments: 42, branchCompany: true, alsoSzlca: { since: '2021-04-08', category: 'ORDINARY' } },
  { kind: 'SECURITIES_FIRM', name: '鹏湾证券股份有限公司', shortName: '鹏湾证券', nameEn: 'Pengwan Securities Co., Ltd.', domain: 'pengwansec.com.cn', district: 'NANSHAN', memberSince: '2002-04-10', category: 'COUNCIL_UNIT', salesDepartments: 30, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '香蜜湖证券有限责任公司', shortName: '香蜜湖证券', nameEn: 'Xiangmihu Securities Co., Ltd.', domain: 'xmhsec.com.cn', district: 'FUTIAN', memberSince: '1998-11-20', category: 'COUNCIL_UNIT', salesDepartments: 26, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '银湖证券股份有限公司', shortName: '银湖证券', nameEn: 'Yinhu Securities Co., Ltd.', domain: 'yinhusec.com.cn', district: 'LUOHU', memberSince: '1996-07-05', category: 'ORDINARY', salesDepartments: 24 },
  { kind: 'SECURITIES_FIRM', name: '红荔证券有限责任公司', shortName: '红荔证券', nameEn: 'Hongli Securities Co., Ltd.', domain: 'honglisec.com.cn', district: 'FUTIAN', memberSince: '2001-12-03', category: 'ORDINARY', salesDepartments: 20 },
  { kind: 'SECURITIES_FIRM', name: '笔架山证券有限责任公司', shortName: '笔架山证券', nameEn: 'Bijiashan Securities Co., Ltd.', domain: 'bjssec.com.cn', district: 'FUTIAN', memberSince: '2008-05-22', category: 'ORDINARY', salesDepartments: 14 },
  { kind: 'SECURITIES_FIRM', name: '西丽证券股份有限公司', shortName: '西丽证券', nameEn: 'Xili Securities Co., Ltd.', domain: 'xilisec.com.cn', district: 'NANSHAN', memberSince: '2005-09-14', category: 'COUNCIL_UNIT', salesDepartments: 22 },
  { kind: 'SECURITIES_FIRM', name: '梅沙证券有限责任公司', shortName: '梅沙证券', nameEn: 'Meisha Securities Co., Ltd.', domain: 'meishasec.com.cn', district: 'YANTIAN', memberSince: '2012-06-28', category: 'ORDINARY', salesDepartments: 8 },
  { kind: 'SECURITIES_FIRM', name: '观澜证券有限责任公司', shortName: '观澜证券', nameEn: 'Guanlan Securities Co., Ltd.', domain: 'guanlansec.com.cn', district: 'LONGHUA', memberSince: '2019-10-16', category: 'ORDINARY', salesDepartments: 5 },
  {
    kind: 'SECURITIES_FIRM', name: '羊城汇富证券股份有限公司', shortName: '羊城汇富证券', nameEn: 'Yangcheng Huifu Securities Co., Ltd.', domain: 'ychfsec.com.cn', district: null,
    elsewhere: { address: '广州市天河区珠江东路3128号', codePrefix: '91440100', phoneArea: '020-3' },
    memberSince: '2010-03-30', category: 'ORDINARY', salesDepartments: 50, branchCompany: true,
  },
  {
    kind: 'SECURITIES_FIRM', name: '外滩证券股份有限公司', shortName: '外滩证券', nameEn: 'Waitan Securities Co., Ltd.', domain: 'waitansec.com.cn', district: null,
    elsewhere: { address: '上海市黄浦区中山南路1566号', codePrefix: '91310000', phoneArea: '021-6' },
    memberSince: '2014-11-11', category: 'ORDINARY', salesDepartments: 44, branchCompany: true,
  },
  // Futures firms
  { kind: 'FUTURES_FIRM', name: '鹏城期货有限公司', shortName: '鹏城期货', nameEn: 'Pengcheng Futures Co., Ltd.', domain: 'pengchengqh.com.cn', district: 'FUTIAN', memberSince: '1995-06-12', category: 'COUNCIL_UNIT' },
  { kind: 'FUTURES_FIRM', name: '莲花山期货有限公司', shortName: '莲花山期货', nameEn: 'Lianhuashan Futures Co., Ltd.', domain: 'lhsqh.com.cn', district: 'FUTIAN', memberSince: '2003-08-19', category: 'ORDINARY' },
  { kind: 'FUTURES_FIRM', name: '银湖期货有限公司', shortName: '银湖期货', nameEn: 'Yinhu Futures Co., Ltd.', domain: 'yinhuqh.com.cn', district: 'LUOHU', memberSince: '2007-01-25', category: 'ORDINARY' },
  // Fund managers
  { kind: 'FUND_MANAGER', name: '红树林基金管理有限公司', shortName: '红树林基金', nameEn: 'Mangrove Fund Management Co., Ltd.', domain: 'mangrovefund.com.cn', district: 'FUTIAN', memberSince: '2004-02-17', category: 'COUNCIL_UNIT' },
  { kind: 'FUND_MANAGER', name: '深南基金管理有限公司', shortName: '深南基金', nameEn: 'Shennan Fund Management Co., Ltd.', domain: 'shennanfund.com.cn', district: 'FUTIAN', memberSince: '2009-12-08', category: 'ORDINARY' },
  { kind: 'FUND_MANAGER', name: '鹏湾基金管理有限公司', shortName: '鹏湾基金', nameEn: 'Pengwan Fund Management Co., Ltd.', domain: 'pengwanfund.com.cn', district: 'NANSHAN', memberSince: '2013-05-21', category: 'ORDINARY' },
  { kind: 'FUND_MANAGER', name: '前海云帆基金管理有限公司', shortName: '前海云帆基金', nameEn: 'Qianhai Yunfan Fund Management Co., Ltd.', domain: 'yunfanfund.com.cn', district: 'NANSHAN', memberSince: '2017-09-05', category: 'ORDINARY' },
  { kind: 'FUND_MANAGER', name: '大沙河基金管理有限公司', shortName: '大沙河基金', nameEn: 'Dashahe Fund Management Co., Ltd.', domain: 'dshfund.com.cn', district: 'NANSHAN', memberSince: '2021-04-12', category: 'ORDINARY' },
  // Investment advisory
  { kind: 'INVESTMENT_ADVISORY', name: '深圳市知远证券投资顾问有限公司', shortName: '知远投顾', nameEn: 'Shenzhen Zhiyuan Securities Investment Advisory Co., Ltd.', domain: 'zhiyuantg.com.cn', district: 'FUTIAN', memberSince: '2018-03-09', category: 'OBSERVER' },
  { kind: 'INVESTMENT_ADVISORY', name: '深圳市荔园证券投资顾问有限公司', shortName: '荔园投顾', nameEn: 'Shenzhen Liyuan Securities Investment Advisory Co., Ltd.', domain: 'liyuantg.com.cn', district: 'LUOHU', memberSince: '2011-07-22', category: 'ORDINARY', suspendedOn: '2023-09-15' },
  // Other: a research institute (民办非企业单位, credit code prefix 52)
  { kind: 'OTHER', name: '深圳市鹏城金融研究院', shortName: '鹏城金融研究院', nameEn: 'Shenzhen Pengcheng Institute of Finance', domain: 'pcfinance.org.cn', district: 'FUTIAN', codePrefix: '52440300', memberSince: '2015-01-08', category: 'SPECIAL' },
  // Listed companies: members of SZLCA, whose vice-president and council units the categories name
  { kind: 'LISTED_COMPANY', name: '深圳市光羽智造科技股份有限公司', shortName: '光羽智造', nameEn: 'Shenzhen Guangyu Intelligent Manufacturing Technology Co., Ltd.', domain: 'guangyu-tech.com', district: 'NANSHAN', stock: '001436.SZ', memberSince: '2019-05-20', category: 'VICE_PRESIDENT_UNIT' },
  { kind: 'LISTED_COMPANY', name: '深圳市海蓝储能技术股份有限公司', shortName: '海蓝储能', nameEn: 'Shenzhen Hailan Energy Storage Technology Co., Ltd.', domain: 'hailan-ess.com', district: 'BAOAN', stock: '301918.SZ', memberSince: '2021-11-02', category: 'COUNCIL_UNIT' },
  { kind: 'LISTED_COMPANY', name: '深圳市鹏翼无人机系统股份有限公司', shortName: '鹏翼无人机', nameEn: 'Shenzhen Pengyi UAV Systems Co., Ltd.', domain: 'pengyi-uav.com', district: 'NANSHAN', stock: '301936.SZ', memberSince: null, category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市前湾生物医药股份有限公司', shortName: '前湾生物', nameEn: 'Shenzhen Qianwan Biopharmaceutical Co., Ltd.', domain: 'qianwanbio.com', district: 'NANSHAN', stock: '301952.SZ', memberSince: '2022-08-16', category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市南岸电子股份有限公司', shortName: '南岸电子', nameEn: "Shenzhen Nan'an Electronics Co., Ltd.", domain: 'nananelec.com', district: 'BAOAN', stock: '003517.SZ', memberSince: null, category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市云岭数据科技股份有限公司', shortName: '云岭数据', nameEn: 'Shenzhen Yunling Data Technology Co., Ltd.', domain: 'yunlingdata.com', district: 'FUTIAN', stock: '003538.SZ', memberSince: '2020-12-09', category: 'COUNCIL_UNIT' },
  { kind: 'LISTED_COMPANY', name: '深圳市驰峰新能源汽车股份有限公司', shortName: '驰峰汽车', nameEn: 'Shenzhen Chifeng New Energy Vehicle Co., Ltd.', domain: 'chifeng-ev.com', district: 'PINGSHAN', stock: '001472.SZ', memberSince: null, category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市铭禾精密制造股份有限公司', shortName: '铭禾精密', nameEn: 'Shenzhen Minghe Precision Manufacturing Co., Ltd.', domain: 'minghe-precision.com', district: 'GUANGMING', stock: '003583.SZ', memberSince: '2023-03-28', category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市澜芯医疗器械股份有限公司', shortName: '澜芯医疗', nameEn: 'Shenzhen Lanxin Medical Devices Co., Ltd.', domain: 'lanxinmed.com', district: 'LONGGANG', stock: '301967.SZ', memberSince: null, category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市芯湾半导体股份有限公司', shortName: '芯湾半导体', nameEn: 'Shenzhen Xinwan Semiconductor Co., Ltd.', domain: 'xinwansemi.com', district: 'NANSHAN', stock: '688937.SH', memberSince: '2022-01-18', category: 'COUNCIL_UNIT' },
  { kind: 'LISTED_COMPANY', name: '深圳市盐港湾物流控股股份有限公司', shortName: '盐港湾物流', nameEn: 'Shenzhen Yangangwan Logistics Holdings Co., Ltd.', domain: 'ygwlogistics.com', district: 'YANTIAN', stock: '605886.SH', memberSince: '2018-10-10', category: 'VICE_PRESIDENT_UNIT' },
  { kind: 'LISTED_COMPANY', name: '深圳市谷川家居股份有限公司', shortName: '谷川家居', nameEn: 'Shenzhen Guchuan Home Furnishing Co., Ltd.', domain: 'guchuanhome.com', district: 'LONGHUA', stock: '605917.SH', memberSince: null, category: 'ORDINARY' },
  { kind: 'LISTED_COMPANY', name: '深圳市航图智能物流股份有限公司', shortName: '航图物流', nameEn: 'Shenzhen Hangtu Intelligent Logistics Co., Ltd.', domain: 'hangtu-logistics.com', district: 'BAOAN', stock: '605938.SH', memberSince: '2021-06-30', category: 'ORDINARY' },
];

/**
 * Securities firms that joined the demo when it grew to Shenzhen's scale (18 firms, about 560 branches). Kept apart
 * from ORGS so that the committees, seated from ORGS, keep their rosters; their contacts are drawn after the seats.
 */
const LATER_FIRMS: OrgSpec[] = [
  {
    kind: 'SECURITIES_FIRM', name: '京华证券股份有限公司', shortName: '京华证券', nameEn: 'Jinghua Securities Co., Ltd.', domain: 'jhsec.com.cn', district: null,
    elsewhere: { address: '北京市西城区金融大街35号', codePrefix: '91110000', phoneArea: '010-6' },
    memberSince: '2006-08-15', category: 'ORDINARY', salesDepartments: 58, branchCompany: true,
  },
  { kind: 'SECURITIES_FIRM', name: '蛇口港证券有限责任公司', shortName: '蛇口港证券', nameEn: 'Shekou Port Securities Co., Ltd.', domain: 'skgsec.com.cn', district: 'NANSHAN', memberSince: '2007-09-26', category: 'ORDINARY', salesDepartments: 3 },
  { kind: 'SECURITIES_FIRM', name: '东门证券有限责任公司', shortName: '东门证券', nameEn: 'Dongmen Securities Co., Ltd.', domain: 'dongmensec.com.cn', district: 'LUOHU', memberSince: '2004-03-15', category: 'ORDINARY', salesDepartments: 2 },
];

/** Every organization of the demo, in insertion (id) order. */
const ALL_ORGS: OrgSpec[] = [...ORGS, ...LATER_FIRMS];

// ---------------------------------------------------------------------------------------------------------------
// Identifiers and people

const USCC_BODY_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * Hands out distinct codes valid under every rule of GB 32100 (identifiers.checkCreditCode): the 8-character prefix
 * (registration type and GB/T 2260 division), "MA5" (or another lead), a random body, the GB 11714 check character
 * of positions 9–16 at position 17, and the GB 32100 check character.
 */
function creditCodeFactory(rng: Rng): (prefix8: string) => string {
  const used = new Set<string>();
  return (prefix8) => {
    const lead = prefix8.startsWith('5') ? 'MJ' : 'MA5';
    for (;;) {
      let body = prefix8 + lead;
      while (body.length < 16) body += rng.pick<string>(USCC_BODY_CHARS);
      body += organizationCodeCheckCharacter(body.slice(8, 16));
      const code = body + creditCodeCheckCharacter(body);
      const problems = checkCreditCode(code);
      if (problems.errors.length + problems.warnings.length > 0) throw new Error(`seed: generated an invalid credit code ${code}`);
      if (!used.has(code)) {
        used.add(code);
        return code;
      }
    }
  };
}

const SURNAMES = '张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹彭曾肖田董潘袁蔡蒋余叶杜魏程吕丁沈钟卢方姚邱苏谭廖';
const GIVEN_NAMES = [
  '伟明', '晓婷', '志强', '丽华', '建国', '海燕', '俊杰', '雅琴', '文斌', '静怡', '国栋', '慧敏', '振宇', '思远', '佳琪',
  '子涵', '立新', '春梅', '德华', '秀英', '永健', '晓东', '婉清', '明轩', '一鸣', '梓萱', '宏伟', '嘉欣', '家豪', '雪梅',
  '浩然', '欣怡', '昊天', '晨曦', '少华', '美玲', '志刚', '玉兰', '建华', '晓光', '翠萍', '学军', '宇航', '若彤', '冠群',
  '敏', '军', '静', '磊', '洁', '涛', '颖', '斌', '婷', '鹏',
];

function personNameFactory(rng: Rng): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const name = rng.pick<string>(SURNAMES) + rng.pick(GIVEN_NAMES);
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

const SHENZHEN_PHONE_PREFIXES = ['8320', '8288', '8246', '2583', '8663', '8396', '2691', '8602'];

function phoneNumber(rng: Rng, spec: OrgSpec): string {
  const four = String(rng.int(0, 9999)).padStart(4, '0');
  if (spec.elsewhere) return `${spec.elsewhere.phoneArea}${rng.int(100, 999)}${four}`;
  return `0755-${rng.pick(SHENZHEN_PHONE_PREFIXES)}${four}`;
}

/** An organization's contacts: two or three at a securities firm, one to three elsewhere. */
function contactsOf(spec: OrgSpec, organizationId: number, rng: Rng, nextPerson: () => string): ContactInsert[] {
  const titles = contactTitles(spec);
  const min = spec.kind === 'SECURITIES_FIRM' ? 2 : 1;
  const howMany = rng.int(min, Math.min(3, titles.length));
  return titles.slice(0, howMany).map(([title, mailbox]) => ({
    organizationId,
    name: nextPerson(),
    title,
    phone: phoneNumber(rng, spec),
    email: `${mailbox}@${spec.domain}`,
  }));
}

/** The titles (and e-mail mailbox) of an organization's contacts, first one always present. */
function contactTitles(spec: OrgSpec): [string, string][] {
  switch (spec.kind) {
    case 'SECURITIES_FIRM':
      return [
        ['合规总监', 'compliance'],
        spec.stock ? ['董事会秘书', 'ir'] : ['办公室主任', 'office'],
        ['分支机构管理部总经理', 'branch'],
      ];
    case 'FUTURES_FIRM':
      return [['合规总监', 'compliance'], ['办公室主任', 'office'], ['风险管理部总经理', 'risk']];
    case 'FUND_MANAGER':
      return [['督察长', 'compliance'], ['办公室主任', 'office'], ['综合管理部总经理', 'admin']];
    case 'INVESTMENT_ADVISORY':
      return [['合规负责人', 'compliance'], ['总经理', 'gm']];
    case 'LISTED_COMPANY':
      return [['董事会秘书', 'ir'], ['证券事务代表', 'securities']];
    default:
      return [['办公室主任', 'office'], ['秘书长', 'secretariat']];
  }
}

// ---------------------------------------------------------------------------------------------------------------

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`seed: ${message}`);
}

/**
 * Loads the demo data into an empty database in a handful of statements; the caller wraps it in a transaction.
 * Throws when organizations already exist.
 */
export async function seedDemoData(db: DbOrTx): Promise<{ organizations: number; branches: number }> {
  const [existing] = await db.select({ n: count() }).from(organizationsTable);
  if (Number(existing?.n ?? 0) > 0) throw new Error('database already has data');

  const codeRng = new Rng(SEED + 1);
  const placeRng = new Rng(SEED + 2);
  const branchRng = new Rng(SEED + 3);
  const peopleRng = new Rng(SEED + 4);
  const nextCreditCode = creditCodeFactory(codeRng);
  const nextPerson = personNameFactory(peopleRng);

  // Organizations, with their listings: the first is the primary one, which the organization's columns repeat.
  const stockKeys = new Set<string>();
  const listingsOf = (spec: OrgSpec) =>
    ([spec.stock, spec.hShare].filter((l) => l !== undefined) as string[]).map((text) => {
      const parsed = parseListing(text);
      check(parsed, `invalid listing ${text}`);
      check(!stockKeys.has(`${parsed.exchange}:${parsed.code}`), `duplicate listing ${text}`);
      stockKeys.add(`${parsed.exchange}:${parsed.code}`);
      return parsed;
    });
  const listings = new Map(ALL_ORGS.map((spec) => [spec.name, listingsOf(spec)]));
  const orgValues: OrgInsert[] = ALL_ORGS.map((spec) => {
    const primary = listings.get(spec.name)![0];
    const prefix = spec.elsewhere?.codePrefix ?? spec.codePrefix ?? '91440300';
    return {
      kind: spec.kind,
      name: spec.name,
      shortName: spec.shortName,
      nameEn: spec.nameEn,
      creditCode: nextCreditCode(prefix),
      stockCode: primary?.code ?? null,
      stockExchange: primary?.exchange ?? null,
      district: spec.district,
      address: spec.elsewhere ? spec.elsewhere.address : shenzhenAddress(placeRng, spec.district!),
      memberSince: spec.memberSince,
      membershipStatus: spec.suspendedOn ? 'SUSPENDED' : 'ACTIVE',
      membershipCategory: spec.category,
    };
  });
  check(new Set(orgValues.map((o) => o.name)).size === orgValues.length, 'duplicate organization name');

  const orgRows = await db
    .insert(organizationsTable)
    .values(orgValues)
    .returning({ id: organizationsTable.id, name: organizationsTable.name, kind: organizationsTable.kind, membershipCategory: organizationsTable.membershipCategory, membershipStatus: organizationsTable.membershipStatus, memberSince: organizationsTable.memberSince });
  // Each organization's membership in its first association, as its own membership columns say; listed securities
  // firms are members of the listed companies association too.
  await db.insert(membershipsTable).values([
    ...orgRows.map((o) => ({ associationId: primaryAssociationOf(o.kind), organizationId: o.id, category: o.membershipCategory, status: o.membershipStatus, since: o.memberSince })),
    ...ALL_ORGS.filter((spec) => spec.alsoSzlca).map((spec) => {
      check(spec.stock && primaryAssociationOf(spec.kind) !== ASSOCIATION_IDS.SZLCA, `${spec.name}: only listed organizations of another association join SZLCA too`);
      return { associationId: ASSOCIATION_IDS.SZLCA, organizationId: orgRows.find((o) => o.name === spec.name)!.id, category: spec.alsoSzlca!.category, since: spec.alsoSzlca!.since };
    }),
  ]);
  const orgId = new Map(orgRows.map((r) => [r.name, r.id]));
  const idOf = (name: string): number => {
    const id = orgId.get(name);
    check(id !== undefined, `unknown organization ${name}`);
    return id;
  };
  await db.insert(listingsTable).values(
    ALL_ORGS.flatMap((spec) => listings.get(spec.name)!.map((l, position) => ({ organizationId: idOf(spec.name), exchange: l.exchange, code: l.code, position }))),
  );

  // Membership history
  const events: EventInsert[] = [];
  for (const spec of ALL_ORGS) {
    if (spec.memberSince) {
      events.push({ organizationId: idOf(spec.name), associationId: primaryAssociationOf(spec.kind), kind: 'JOIN', effectiveOn: spec.memberSince, note: '经理事会审议通过入会' });
    }
    if (spec.suspendedOn) {
      check(spec.memberSince && spec.memberSince < spec.suspendedOn, `suspension of ${spec.name} precedes joining`);
      events.push({ organizationId: idOf(spec.name), associationId: primaryAssociationOf(spec.kind), kind: 'SUSPEND', effectiveOn: spec.suspendedOn, note: '未按期报送年度合规报告，暂停会员资格' });
    }
    if (spec.alsoSzlca) {
      events.push({ organizationId: idOf(spec.name), associationId: ASSOCIATION_IDS.SZLCA, kind: 'JOIN', effectiveOn: spec.alsoSzlca.since, note: '上市后经理事会审议通过入会' });
    }
  }
  await db.insert(membershipEventsTable).values(events);

  // Branches of the securities firms: each sales department in a district drawn by DISTRICT_WEIGHTS, on a road of it
  // the firm has no department on yet (the road names the department); the 深圳分公司 in 福田, 罗湖 or 南山.
  const branches: BranchInsert[] = [];
  for (const spec of ALL_ORGS) {
    if (spec.kind !== 'SECURITIES_FIRM') continue;
    const firmId = idOf(spec.name);
    const fromYear = Math.max(spec.elsewhere ? 2003 : 1995, Number(spec.memberSince?.slice(0, 4) ?? 1995));
    if (spec.branchCompany) {
      const place = branchRng.pick(ROADS.filter((r) => CORE_DISTRICTS.includes(r.district)));
      branches.push({
        firmId,
        kind: 'BRANCH_COMPANY',
        name: `${spec.name}深圳分公司`,
        creditCode: nextCreditCode('91440300'),
        district: place.district,
        address: roadAddress(branchRng, place),
        openedOn: branchRng.date(Math.max(2009, fromYear), 2019),
        closedOn: null,
      });
    }
    const usedRoads = new Set<string>();
    for (let k = 0; k < (spec.salesDepartments ?? 0); k++) {
      let place: Road | undefined;
      while (!place) {
        const district = pickDistrict(branchRng);
        const free = ROADS.filter((r) => r.district === district && !usedRoads.has(r.label));
        if (free.length > 0) place = branchRng.pick(free);
      }
      usedRoads.add(place.label);
      branches.push({
        firmId,
        kind: 'SALES_DEPARTMENT',
        name: `${spec.name}深圳${place.label}证券营业部`,
        creditCode: nextCreditCode('91440300'),
        district: place.district,
        address: roadAddress(branchRng, place),
        openedOn: branchRng.date(Math.min(fromYear, 2019), 2019),
        closedOn: null,
      });
    }
  }
  // Since 2020 a few sales departments opened and some older ones closed (撤销): most of those after the 2020
  // training (they were part of its reach), a few before.
  const departments = branchRng.shuffle(branches.filter((b) => b.kind === 'SALES_DEPARTMENT'));
  for (const b of departments.slice(0, OPENED_SINCE_2020)) b.openedOn = branchRng.date(2021, 2025);
  const closable = departments.slice(OPENED_SINCE_2020).filter((b) => b.openedOn! < '2016-01-01');
  for (const [i, b] of closable.slice(0, CLOSED_BEFORE_2020 + CLOSED_SINCE_2020).entries()) {
    const openedYear = Number(b.openedOn!.slice(0, 4));
    b.closedOn = i < CLOSED_BEFORE_2020 ? branchRng.date(openedYear + 2, 2019) : branchRng.date(2021, 2024);
    check(b.closedOn > b.openedOn!, `closedOn before openedOn for ${b.name}`);
  }
  check(new Set(branches.map((b) => b.name)).size === branches.length, 'duplicate branch name');
  check(branches.filter((b) => !b.closedOn).length >= 540, 'fewer than 540 open branches');
  const in2020 = branches.filter((b) => b.openedOn! <= '2020-04-28' && (!b.closedOn || b.closedOn >= '2020-04-28'));
  check(in2020.length >= 544, `only ${in2020.length} branches were open on 2020-04-28`);
  await db.insert(branchesTable).values(branches);

  // Contacts
  await db.insert(contactsTable).values(ORGS.flatMap((spec) => contactsOf(spec, idOf(spec.name), peopleRng, nextPerson)));

  // The later firms' contacts.
  await db.insert(contactsTable).values(LATER_FIRMS.flatMap((spec) => contactsOf(spec, idOf(spec.name), peopleRng, nextPerson)));

  return { organizations: orgRows.length, branches: branches.length };
}
