// npm run token -- --role ROLE [--org CREDIT_CODE] [--association CODE] [--ttl 1h] [--sub SUBJECT]: prints one signed JWT.
// The subject defaults to ROLE[:ORG|:ASSOCIATION]:<the OS user>, so the read audit tells people apart.
// Reads only the issuer's key files under DATA_DIR (creating them if absent), never the database.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { parseTtl, signAccessToken } from '../src/auth/tokens.js';
import { associationCodes, tokenRoles, type TokenRole } from '../src/auth/viewer.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { isValidCreditCode, normalizeCreditCode } from '../src/members/identifiers.js';

/** The OS account running the command (USER when the account database has no entry, as in some containers). */
function personAtKeyboard(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { role: { type: 'string' }, org: { type: 'string' }, association: { type: 'string' }, ttl: { type: 'string', default: '1h' }, sub: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\nusage: npm run token -- --role ${tokenRoles.join('|')} [--org CREDIT_CODE] [--association ${associationCodes.join('|')}] [--ttl 1h] [--sub SUBJECT]`);
  }
  const role = args.role as TokenRole | undefined;
  if (!role || !tokenRoles.includes(role)) fail(`--role must be one of ${tokenRoles.join(', ')}`);
  const needsOrg = role === 'firm' || role === 'listed_company';
  if (needsOrg && !args.org) fail(`--org CREDIT_CODE is required for role ${role}`);
  if (!needsOrg && args.org) fail(`--org is only for the firm and listed_company roles`);
  if (args.association !== undefined && role !== 'association') fail('--association is only for the association role');
  const assoc = args.association?.toUpperCase() ?? (role === 'association' ? 'SZSA' : undefined);
  if (assoc !== undefined && !(associationCodes as readonly string[]).includes(assoc)) fail(`--association must be one of ${associationCodes.join(', ')}`);
  const org = args.org ? normalizeCreditCode(args.org) : undefined;
  if (org && !isValidCreditCode(org)) fail(`--org ${args.org} is not a valid unified social credit code`);
  const ttl = parseTtl(args.ttl!);
  if (ttl === null) fail('--ttl must look like 90s, 15m, 1h or 2d (at most 7d)');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  // The read audit records the subject: by default it names the person at the keyboard (the OS account), so two people's
  // tokens never share a subject; --sub names someone else (zhang.san) where accounts are shared.
  const sub = args.sub ?? `${org ? `${role}:${org}` : assoc ? `${role}:${assoc}` : role}:${personAtKeyboard()}`;
  if (!/^[\x21-\x7e]{1,200}$/.test(sub)) fail('--sub must be 1–200 printable ASCII characters without spaces');
  const token = await signAccessToken(keys, { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }, { sub, role, org, assoc }, ttl);
  process.stdout.write(`${token}\n`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
