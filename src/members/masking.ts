// Masked contact details, for viewers who need to know that a contact exists and who it is, but not to reach them.

/** Keeps the first three and last four digits of a number of at least nine digits (138****5678); shorter: all but the last two hidden. */
export function maskPhone(phone: string): string {
  const digits = [...phone].filter((c) => c >= '0' && c <= '9').length;
  let seen = 0;
  return [...phone]
    .map((c) => {
      if (c < '0' || c > '9') return c;
      seen += 1;
      const shown = digits >= 9 ? seen <= 3 || seen > digits - 4 : seen > digits - 2;
      return shown ? c : '*';
    })
    .join('')
    .replace(/\*+/g, (stars) => (stars.length > 4 ? '****' : stars));
}

/** Keeps the first character of the local part and the domain (z***@example.com). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${[...email.slice(0, at)][0]}***${email.slice(at)}`;
}
