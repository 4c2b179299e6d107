// The one mapper from domain errors to GraphQL: userErrors in payloads, codes on thrown errors.
import { DomainError, userErrorCodes, type UserErrorCode, type UserErrorShape } from '../errors.js';
import { builder } from './builder.js';
import type { Context } from './context.js';

const codeDescriptions: Record<UserErrorCode, string> = {
  REQUIRED: '必填项为空 / A required value is missing or empty',
  TOO_LONG: '超出长度上限 / A value is longer than allowed',
  INVALID: '格式或取值无效 / A value is malformed or not allowed',
  INVALID_STATE: '当前状态不允许此操作 / The object is not in a state that allows this change',
  NOT_FOUND: '对象不存在或不可见 / The object does not exist or is not visible to you',
  IDEMPOTENCY_KEY_REUSED: '幂等键已用于不同的输入 / The idempotency key was already used with different input',
  DUPLICATE: '与已有记录重复 / The value is already used by another record',
  LIMIT_EXCEEDED: '超出规则上限 / A rule limit would be exceeded',
  OUT_OF_RANGE: '数值超出允许范围 / A value is outside its allowed range',
  UNKNOWN_INDICATOR: '评价指标不属于该周期的指引版本 / The indicator is not part of the cycle\'s guideline version',
  NOT_OWN_BRANCH: '分支机构不属于本机构 / The branch belongs to another firm',
  ALREADY_PUBLISHED: '已发布，不能再次发布或修改 / Already published: cannot be published again or changed',
  NOT_A_MEMBER: '本机构不是该协会的在册会员 / Your organization is not an active member of that association',
  SAME_PERSON: '须由另一人完成（复核人不能是经办人） / Another person must do this (the checker may not be the maker)',
  DEADLINE_PASSED: '已过截止时间 / The deadline has passed',
};

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  description: '用户错误代码 / Codes of mistakes reported in mutation payloads',
  values: Object.fromEntries(userErrorCodes.map((c) => [c, { description: codeDescriptions[c] }])) as Record<
    UserErrorCode,
    { description: string }
  >,
});

export interface UserErrorOut {
  field: string[] | null;
  message: string;
  code: UserErrorCode;
}

export const UserErrorRef = builder.objectRef<UserErrorOut>('UserError').implement({
  description: '调用方的输入错误 / A mistake in the caller\'s input',
  fields: (t) => ({
    field: t.exposeStringList('field', {
      nullable: true,
      description: '出错的输入字段路径 / Path of the input field at fault',
    }),
    message: t.exposeString('message', { description: '说明（按 Accept-Language 为中文或英文） / Explanation, in Chinese or English per Accept-Language' }),
    code: t.expose('code', { type: UserErrorCodeEnum, description: '稳定的错误代码 / Stable error code' }),
  }),
});

export function localizeUserErrors(errors: UserErrorShape[], ctx: Context): UserErrorOut[] {
  return errors.map((e) => ({ field: e.field, code: e.code, message: e.message[ctx.locale] }));
}

/**
 * Runs a mutation's service call and shapes its payload: the result on success,
 * or userErrors (and nothing written) when the service raised a DomainError.
 */
export async function mutationPayload<R, P extends object>(
  ctx: Context,
  run: () => Promise<R>,
  shape: (result: R) => P,
  empty: { [K in keyof P]: null },
): Promise<(P | { [K in keyof P]: null }) & { userErrors: UserErrorOut[] }> {
  try {
    return { ...shape(await run()), userErrors: [] };
  } catch (error) {
    if (error instanceof DomainError) return { ...empty, userErrors: localizeUserErrors(error.errors, ctx) };
    throw error;
  }
}

export const userErrorsField = (t: any) =>
  t.field({
    type: [UserErrorRef],
    description: '输入错误；为空表示成功 / Mistakes in the input; empty on success',
    resolve: (p: { userErrors: UserErrorOut[] }) => p.userErrors,
  });
