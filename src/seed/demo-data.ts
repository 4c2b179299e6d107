// The demo data set: fictitious securities firms, their Shenzhen branches, other members, listed companies, their
// memberships of the two associations (深证协 SZSA, 深圳上市公司协会 SZLCA; a listed securities firm is a member of
// both). The associations' professional committees are seeded by src/committees/committees.seed.ts. Every name is invented (no real firm may appear: ratings get attached later);
// identifiers are made-up but valid (GB 32100 credit codes, in-range stock codes). Deterministic: a seeded PRNG, no clock.
import { mulberry32 } from './prng.js';
import { count } from 'drizzle-orm';
import { ASSOCIATION_IDS, primaryAssociationOf } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { creditCodeCheckCharacter, isValidCreditCode, parseStockCode, type StockExchange } from '../members/identifiers.js';
import {
  branchesTable,
  contactsTable,
  districtEnum,
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

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[] | string): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  /** An ISO date (YYYY-MM-DD) in [fromYear-01-01, toYear-12-28]. */
  date(fromYear: number, toYear: number): string {
    const y = this.int(fromYear, toYear);
    return `${y}-${pad2(this.int(1, 12))}-${pad2(this.int(1, 28))}`;
  }
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

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

interface Area {
  /** The part of a sales department's name: 深圳{area}证券营业部. */
  area: string;
  district: District;
  /** The street of the address: 深圳市{区}{street}{n}号. */
  street: string;
}

/** Futian, Luohu and Nanshan: where most branches are. */
const CORE_AREAS: Area[] = [
  { area: '深南大道', district: 'FUTIAN', street: '深南大道' },
  { area: '福华一路', district: 'FUTIAN', street: '福华一路' },
  { area: '益田路', district: 'FUTIAN', street: '益田路' },
  { area: '金田路', district: 'FUTIAN', street: '金田路' },
  { area: '华强北路', district: 'FUTIAN', street: '华强北路' },
  { area: '车公庙', district: 'FUTIAN', street: '泰然九路' },
  { area: '香蜜湖', district: 'FUTIAN', street: '香梅路' },
  { area: '梅林', district: 'FUTIAN', street: '梅林路' },
  { area: '景田', district: 'FUTIAN', street: '景田北路' },
  { area: '彩田路', district: 'FUTIAN', street: '彩田路' },
  { area: '皇岗路', district: 'FUTIAN', street: '皇岗路' },
  { area: '红岭中路', district: 'LUOHU', street: '红岭中路' },
  { area: '宝安南路', district: 'LUOHU', street: '宝安南路' },
  { area: '东门', district: 'LUOHU', street: '东门中路' },
  { area: '深南东路', district: 'LUOHU', street: '深南东路' },
  { area: '建设路', district: 'LUOHU', street: '建设路' },
  { area: '人民南路', district: 'LUOHU', street: '人民南路' },
  { area: '笋岗', district: 'LUOHU', street: '宝岗路' },
  { area: '翠竹路', district: 'LUOHU', street: '翠竹路' },
  { area: '科技园', district: 'NANSHAN', street: '科苑路' },
  { area: '后海', district: 'NANSHAN', street: '海德三道' },
  { area: '前海', district: 'NANSHAN', street: '前海深港合作区梦海大道' },
  { area: '蛇口', district: 'NANSHAN', street: '蛇口望海路' },
  { area: '海岸城', district: 'NANSHAN', street: '文心五路' },
  { area: '南油', district: 'NANSHAN', street: '南海大道' },
  { area: '西丽', district: 'NANSHAN', street: '留仙大道' },
  { area: '南山大道', district: 'NANSHAN', street: '南山大道' },
];

const OUTER_AREAS: Area[] = [
  { area: '西乡', district: 'BAOAN', street: '西乡大道' },
  { area: '宝安中心区', district: 'BAOAN', street: '创业一路' },
  { area: '沙井', district: 'BAOAN', street: '新沙路' },
  { area: '福永', district: 'BAOAN', street: '福永大道' },
  { area: '布吉', district: 'LONGGANG', street: '布吉路' },
  { area: '龙岗中心城', district: 'LONGGANG', street: '龙福路' },
  { area: '坂田', district: 'LONGGANG', street: '五和大道' },
  { area: '横岗', district: 'LONGGANG', street: '深惠路' },
  { area: '龙华人民路', district: 'LONGHUA', street: '人民路' },
  { area: '民治', district: 'LONGHUA', street: '民治大道' },
  { area: '观澜', district: 'LONGHUA', street: '观澜大道' },
  { area: '沙头角', district: 'YANTIAN', street: '深盐路' },
  { area: '盐田港', district: 'YANTIAN', street: '盐田路' },
  { area: '光明', district: 'GUANGMING', street: '光明大街' },
  { area: '坪山', district: 'PINGSHAN', street: '坪山大道' },
];

const ALL_AREAS = [...CORE_AREAS, ...OUTER_AREAS];

function shenzhenAddress(rng: Rng, district: District, street?: string): string {
  const s = street ?? rng.pick(ALL_AREAS.filter((a) => a.district === district)).street;
  return `深圳市${DISTRICT_ZH[district]}${s}${rng.int(1, 8000)}号`;
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
  memberSince: string | null;
  category: Category;
  suspendedOn?: string;
  /** Securities firms: number of Shenzhen sales departments and whether there is a 深圳分公司. */
  salesDepartments?: number;
  branchCompany?: boolean;
  /** A listed organization whose primary association is another (a listed securities firm): its SZLCA membership too. */
  alsoSzlca?: { since: string; category: Category };
}

const ORGS: OrgSpec[] = [
  // Securities firms
  { kind: 'SECURITIES_FIRM', name: '鹏城证券股份有限公司', shortName: '鹏城证券', nameEn: 'Pengcheng Securities Co., Ltd.', domain: 'pengchengsec.com.cn', district: 'FUTIAN', stock: '001518.SZ', memberSince: '1994-09-28', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 9, branchCompany: true, alsoSzlca: { since: '2015-03-20', category: 'COUNCIL_UNIT' } },
  { kind: 'SECURITIES_FIRM', name: '深南证券股份有限公司', shortName: '深南证券', nameEn: 'Shennan Securities Co., Ltd.', domain: 'shennansec.com.cn', district: 'FUTIAN', stock: '601596.SH', memberSince: '1994-09-28', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 8, branchCompany: true, alsoSzlca: { since: '2016-07-12', category: 'ORDINARY' } },
  { kind: 'SECURITIES_FIRM', name: '莲花山证券股份有限公司', shortName: '莲花山证券', nameEn: 'Lianhuashan Securities Co., Ltd.', domain: 'lhssec.com.cn', district: 'FUTIAN', memberSince: '1995-03-16', category: 'VICE_PRESIDENT_UNIT', salesDepartments: 8, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '前海汇通证券有限责任公司', shortName: '前海汇通证券', nameEn: 'Qianhai Huitong Securities Co., Ltd.', domain: 'qhhtsec.com.cn', district: 'NANSHAN', memberSince: '2016-08-18', category: 'COUNCIL_UNIT', salesDepartments: 6, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '梧桐山证券股份有限公司', shortName: '梧桐山证券', nameEn: 'Wutongshan Securities Co., Ltd.', domain: 'wtssec.com.cn', district: 'LUOHU', stock: '003562.SZ', memberSince: '1996-01-10', category: 'COUNCIL_UNIT', salesDepartments: 6, branchCompany: true, alsoSzlca: { since: '2021-04-08', category: 'ORDINARY' } },
  { kind: 'SECURITIES_FIRM', name: '鹏湾证券股份有限公司', shortName: '鹏湾证券', nameEn: 'Pengwan Securities Co., Ltd.', domain: 'pengwansec.com.cn', district: 'NANSHAN', memberSince: '2002-04-10', category: 'COUNCIL_UNIT', salesDepartments: 5, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '香蜜湖证券有限责任公司', shortName: '香蜜湖证券', nameEn: 'Xiangmihu Securities Co., Ltd.', domain: 'xmhsec.com.cn', district: 'FUTIAN', memberSince: '1998-11-20', category: 'COUNCIL_UNIT', salesDepartments: 4, branchCompany: true },
  { kind: 'SECURITIES_FIRM', name: '银湖证券股份有限公司', shortName: '银湖证券', nameEn: 'Yinhu Securities Co., Ltd.', domain: 'yinhusec.com.cn', district: 'LUOHU', memberSince: '1996-07-05', category: 'ORDINARY', salesDepartments: 4 },
  { kind: 'SECURITIES_FIRM', name: '红荔证券有限责任公司', shortName: '红荔证券', nameEn: 'Hongli Securities Co., Ltd.', domain: 'honglisec.com.cn', district: 'FUTIAN', memberSince: '2001-12-03', category: 'ORDINARY', salesDepartments: 4 },
  { kind: 'SECURITIES_FIRM', name: '笔架山证券有限责任公司', shortName: '笔架山证券', nameEn: 'Bijiashan Securities Co., Ltd.', domain: 'bjssec.com.cn', district: 'FUTIAN', memberSince: '2008-05-22', category: 'ORDINARY', salesDepartments: 3 },
  { kind: 'SECURITIES_FIRM', name: '西丽证券股份有限公司', shortName: '西丽证券', nameEn: 'Xili Securities Co., Ltd.', domain: 'xilisec.com.cn', district: 'NANSHAN', memberSince: '2005-09-14', category: 'COUNCIL_UNIT', salesDepartments: 4 },
  { kind: 'SECURITIES_FIRM', name: '梅沙证券有限责任公司', shortName: '梅沙证券', nameEn: 'Meisha Securities Co., Ltd.', domain: 'meishasec.com.cn', district: 'YANTIAN', memberSince: '2012-06-28', category: 'ORDINARY', salesDepartments: 3 },
  { kind: 'SECURITIES_FIRM', name: '观澜证券有限责任公司', shortName: '观澜证券', nameEn: 'Guanlan Securities Co., Ltd.', domain: 'guanlansec.com.cn', district: 'LONGHUA', memberSince: '2019-10-16', category: 'ORDINARY', salesDepartments: 3 },
  {
    kind: 'SECURITIES_FIRM', name: '羊城汇富证券股份有限公司', shortName: '羊城汇富证券', nameEn: 'Yangcheng Huifu Securities Co., Ltd.', domain: 'ychfsec.com.cn', district: null,
    elsewhere: { address: '广州市天河区珠江东路3128号', codePrefix: '91440100', phoneArea: '020-3' },
    memberSince: '2010-03-30', category: 'ORDINARY', salesDepartments: 4, branchCompany: true,
  },
  {
    kind: 'SECURITIES_FIRM', name: '外滩证券股份有限公司', shortName: '外滩证券', nameEn: 'Waitan Securities Co., Ltd.', domain: 'waitansec.com.cn', district: null,
    elsewhere: { address: '上海市黄浦区中山南路1566号', codePrefix: '91310000', phoneArea: '021-6' },
    memberSince: '2014-11-11', category: 'ORDINARY', salesDepartments: 3, branchCompany: true,
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

// ---------------------------------------------------------------------------------------------------------------
// Identifiers and people

const USCC_BODY_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Hands out distinct, valid GB 32100 codes: 8-character prefix + "MA5" (or another lead) + random body + check character. */
function creditCodeFactory(rng: Rng): (prefix8: string) => string {
  const used = new Set<string>();
  return (prefix8) => {
    const lead = prefix8.startsWith('5') ? 'MJ' : 'MA5';
    for (;;) {
      let body = prefix8 + lead;
      while (body.length < 17) body += rng.pick<string>(USCC_BODY_CHARS);
      const code = body + creditCodeCheckCharacter(body);
      if (!isValidCreditCode(code)) throw new Error(`seed: generated an invalid credit code ${code}`);
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

  // Organizations
  const stockKeys = new Set<string>();
  const orgValues: OrgInsert[] = ORGS.map((spec) => {
    let stockCode: string | null = null;
    let stockExchange: StockExchange | null = null;
    if (spec.stock) {
      const parsed = parseStockCode(spec.stock);
      check(parsed, `invalid stock code ${spec.stock}`);
      check(!stockKeys.has(spec.stock), `duplicate stock code ${spec.stock}`);
      stockKeys.add(spec.stock);
      stockCode = parsed.code;
      stockExchange = parsed.exchange;
    }
    const prefix = spec.elsewhere?.codePrefix ?? spec.codePrefix ?? '91440300';
    return {
      kind: spec.kind,
      name: spec.name,
      shortName: spec.shortName,
      nameEn: spec.nameEn,
      creditCode: nextCreditCode(prefix),
      stockCode,
      stockExchange,
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
    ...ORGS.filter((spec) => spec.alsoSzlca).map((spec) => {
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

  // Membership history
  const events: EventInsert[] = [];
  for (const spec of ORGS) {
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

  // Branches of the securities firms
  const branches: BranchInsert[] = [];
  for (const spec of ORGS) {
    if (spec.kind !== 'SECURITIES_FIRM') continue;
    const firmId = idOf(spec.name);
    if (spec.branchCompany) {
      const place = branchRng.pick(CORE_AREAS);
      branches.push({
        firmId,
        kind: 'BRANCH_COMPANY',
        name: `${spec.name}深圳分公司`,
        creditCode: nextCreditCode('91440300'),
        district: place.district,
        address: shenzhenAddress(branchRng, place.district, place.street),
        openedOn: branchRng.date(2009, 2021),
        closedOn: null,
      });
    }
    const n = spec.salesDepartments ?? 0;
    const nCore = Math.round(n * 0.72);
    const places = [...branchRng.shuffle(CORE_AREAS).slice(0, nCore), ...branchRng.shuffle(OUTER_AREAS).slice(0, n - nCore)];
    for (const place of places) {
      branches.push({
        firmId,
        kind: 'SALES_DEPARTMENT',
        name: `${spec.name}深圳${place.area}证券营业部`,
        creditCode: nextCreditCode('91440300'),
        district: place.district,
        address: shenzhenAddress(branchRng, place.district, place.street),
        openedOn: branchRng.date(spec.elsewhere ? 2003 : 1995, 2024),
        closedOn: null,
      });
    }
  }
  // A few sales departments opened before 2016 have since closed (撤销).
  const closable = branches.filter((b) => b.kind === 'SALES_DEPARTMENT' && b.openedOn! < '2016-01-01');
  for (const b of branchRng.shuffle(closable).slice(0, 3)) {
    const openedYear = Number(b.openedOn!.slice(0, 4));
    b.closedOn = branchRng.date(openedYear + 2, Math.min(2024, openedYear + 12));
    check(b.closedOn > b.openedOn!, `closedOn before openedOn for ${b.name}`);
  }
  check(new Set(branches.map((b) => b.name)).size === branches.length, 'duplicate branch name');
  await db.insert(branchesTable).values(branches);

  // Contacts
  const contacts: ContactInsert[] = [];
  for (const spec of ORGS) {
    const titles = contactTitles(spec);
    const min = spec.kind === 'SECURITIES_FIRM' ? 2 : 1;
    const howMany = peopleRng.int(min, Math.min(3, titles.length));
    for (const [title, mailbox] of titles.slice(0, howMany)) {
      contacts.push({
        organizationId: idOf(spec.name),
        name: nextPerson(),
        title,
        phone: phoneNumber(peopleRng, spec),
        email: `${mailbox}@${spec.domain}`,
      });
    }
  }
  await db.insert(contactsTable).values(contacts);

  return { organizations: orgRows.length, branches: branches.length };
}
