// Domain errors: a stable code, the input field at fault, and a message in Chinese and English. No GraphQL here.

export const userErrorCodes = [
  'REQUIRED',
  'TOO_LONG',
  'INVALID',
  'INVALID_STATE',
  'NOT_FOUND',
  'IDEMPOTENCY_KEY_REUSED',
  'DUPLICATE',
  'LIMIT_EXCEEDED',
  'OUT_OF_RANGE',
  'UNKNOWN_INDICATOR',
  'NOT_OWN_BRANCH',
  'ALREADY_PUBLISHED',
  'NOT_A_MEMBER',
  'SAME_PERSON',
  'DEADLINE_PASSED',
] as const;
export type UserErrorCode = (typeof userErrorCodes)[number];

export interface LocalizedMessage {
  zh: string;
  en: string;
}

export interface UserErrorShape {
  field: string[] | null;
  code: UserErrorCode;
  message: LocalizedMessage;
}

/** A caller's mistake: reported in the mutation payload's userErrors; nothing is written. */
export class DomainError extends Error {
  readonly errors: UserErrorShape[];
  constructor(code: UserErrorCode, field: string[] | null, message: LocalizedMessage);
  constructor(errors: UserErrorShape[]);
  constructor(
    codeOrErrors: UserErrorCode | UserErrorShape[],
    field?: string[] | null,
    message?: LocalizedMessage,
  ) {
    const errors = Array.isArray(codeOrErrors)
      ? codeOrErrors
      : [{ code: codeOrErrors, field: field ?? null, message: message! }];
    super(errors.map((e) => e.message.en).join('; '));
    this.name = 'DomainError';
    this.errors = errors;
  }
}

/** Collects several problems so a caller hears about all of them at once. */
export class ErrorCollector {
  readonly errors: UserErrorShape[] = [];
  add(code: UserErrorCode, field: string[] | null, message: LocalizedMessage) {
    this.errors.push({ code, field, message });
  }
  throwIfAny() {
    if (this.errors.length > 0) throw new DomainError(this.errors);
  }
}

/** True when a PostgreSQL error is a unique violation (23505), optionally of the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  let e = error as { code?: string; constraint?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code === '23505') return !constraint || e.constraint === constraint;
    e = e.cause as typeof e;
  }
  return false;
}
