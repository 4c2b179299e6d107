/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** 分支机构类型 / Kind of branch office */
export type BranchKind =
  /** 分公司 / Branch company */
  | 'BRANCH_COMPANY'
  /** 证券营业部 / Securities sales department */
  | 'SALES_DEPARTMENT';

/** 专业委员会代码 / Committee code */
export type CommitteeCode =
  /** 经纪与财富管理专业委员会 / Brokerage & Wealth Management Committee */
  | 'BROKERAGE_WEALTH'
  /** 合规专业委员会 / Compliance Committee */
  | 'COMPLIANCE'
  /** 金融科技专业委员会 / Fintech Committee */
  | 'FINTECH'
  /** 投资银行专业委员会 / Investment Banking Committee */
  | 'INVESTMENT_BANKING';

/** 委员会职务 / Role on a committee */
export type CommitteeRole =
  /** 顾问 / Adviser */
  | 'ADVISOR'
  /** 主任委员（每届一名） / Chair (one per term) */
  | 'CHAIR'
  /** 委员 / Member */
  | 'MEMBER'
  /** 秘书长 / Secretary-general */
  | 'SECRETARY_GENERAL'
  /** 副主任委员（每届最多 7 名） / Vice chair (at most 7 per term) */
  | 'VICE_CHAIR';

/** 深圳行政区（"10+1"） / Shenzhen district */
export type District =
  /** 宝安区 / Bao'an */
  | 'BAOAN'
  /** 大鹏新区 / Dapeng New Area */
  | 'DAPENG'
  /** 福田区 / Futian */
  | 'FUTIAN'
  /** 光明区 / Guangming */
  | 'GUANGMING'
  /** 龙岗区 / Longgang */
  | 'LONGGANG'
  /** 龙华区 / Longhua */
  | 'LONGHUA'
  /** 罗湖区 / Luohu */
  | 'LUOHU'
  /** 南山区 / Nanshan */
  | 'NANSHAN'
  /** 坪山区 / Pingshan */
  | 'PINGSHAN'
  /** 深汕特别合作区 / Shenzhen–Shanwei Special Cooperation Zone */
  | 'SHENSHAN'
  /** 盐田区 / Yantian */
  | 'YANTIAN';

/** 机构筛选条件 / Filter for organizations */
export type OrganizationFilter = {
  /** 所在区 / District */
  district?: District | null | undefined;
  /** 机构类型 / Kind */
  kind?: OrganizationKind | null | undefined;
  /** 按中英文名称、简称、信用代码或证券代码搜索（最多 100 字） / Search names (Chinese or English), short name, credit code or stock code */
  search?: string | null | undefined;
};

/** 机构类型 / Kind of organization */
export type OrganizationKind =
  /** 基金管理公司 / Fund manager */
  | 'FUND_MANAGER'
  /** 期货公司 / Futures firm */
  | 'FUTURES_FIRM'
  /** 证券投资咨询机构 / Investment advisory firm */
  | 'INVESTMENT_ADVISORY'
  /** 上市公司 / Listed company */
  | 'LISTED_COMPANY'
  /** 其他 / Other */
  | 'OTHER'
  /** 证券公司 / Securities firm */
  | 'SECURITIES_FIRM';

/** 访问者角色 / Role of the viewer */
export type ViewerRole =
  /** 匿名访客 / Anonymous visitor */
  | 'ANONYMOUS'
  /** 协会工作人员 / Association staff */
  | 'ASSOCIATION'
  /** 会员机构（证券、期货、基金等） / Member firm */
  | 'FIRM'
  /** 上市公司 / Listed company */
  | 'LISTED_COMPANY'
  /** 证监局 / The securities regulator's bureau */
  | 'REGULATOR';

export type DirectoryQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: OrganizationFilter | null | undefined;
}>;


export type DirectoryQuery = { organizations: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, kind: OrganizationKind, name: string, shortName: string | null, creditCode: string, stockCode: string | null, district: District | null } }> } };

export type OrganizationWithBranchesQueryVariables = Exact<{
  creditCode: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OrganizationWithBranchesQuery = { organization: { id: string, name: string, contacts: Array<{ name: string, title: string | null, phone: string | null, email: string | null }> | null, branches: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, kind: BranchKind, district: District | null } }> } } | null };

export type CommitteesQueryVariables = Exact<{ [key: string]: never; }>;


export type CommitteesQuery = { committees: Array<{ id: string, code: CommitteeCode, name: string, nameEn: string | null, currentTerm: { number: number, startsOn: string, endsOn: string | null, seats: Array<{ role: CommitteeRole, personName: string, organization: { name: string } }> } | null, terms: Array<{ number: number }> }> };

export type ViewerRoleQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerRoleQuery = { viewer: { role: ViewerRole, organization: { id: string, creditCode: string } | null } };


export const DirectoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Directory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"OrganizationFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organizations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"shortName"}},{"kind":"Field","name":{"kind":"Name","value":"creditCode"}},{"kind":"Field","name":{"kind":"Name","value":"stockCode"}},{"kind":"Field","name":{"kind":"Name","value":"district"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DirectoryQuery, DirectoryQueryVariables>;
export const OrganizationWithBranchesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrganizationWithBranches"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"creditCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"organization"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"creditCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"creditCode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"contacts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"branches"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"district"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OrganizationWithBranchesQuery, OrganizationWithBranchesQueryVariables>;
export const CommitteesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Committees"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"committees"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"nameEn"}},{"kind":"Field","name":{"kind":"Name","value":"currentTerm"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"startsOn"}},{"kind":"Field","name":{"kind":"Name","value":"endsOn"}},{"kind":"Field","name":{"kind":"Name","value":"seats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"personName"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"terms"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]}}]} as unknown as DocumentNode<CommitteesQuery, CommitteesQueryVariables>;
export const ViewerRoleDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ViewerRole"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"organization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"creditCode"}}]}}]}}]}}]} as unknown as DocumentNode<ViewerRoleQuery, ViewerRoleQueryVariables>;