// The receiver samples in docs/WEBHOOKS.md run against signatures made by the server's own signing code: the Python
// ones with python3 (skipped where there is none), including a hostile non-ASCII signature header.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook, signWebhook } from '../src/webhooks/webhooks.signature.js';

const docs = readFileSync(new URL('../docs/WEBHOOKS.md', import.meta.url), 'utf8');
const pythonBlocks = [...docs.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** The hand-written samples (the library one needs a package this machine may not have). */
const python = pythonBlocks.find((b) => b.includes('def verify('));
const pythonStandard = pythonBlocks.find((b) => b.includes('def verify_standard('));
const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('docs/WEBHOOKS.md receiver samples', () => {
  it.skipIf(!hasPython)('the Python sample accepts a real signature and refuses a wrong, a non-ASCII and a stale one without raising', () => {
    expect(python).toBeTruthy();
    const secret = 'whsec_docs-sample';
    const body = '{"id":"e1","type":"suggestion.submitted","data":{"title":"标题"}}';
    const now = String(Math.floor(Date.now() / 1000));
    const cases = [
      { ts: now, sig: signWebhook(secret, now, 'e1', body), expected: 'True' },
      { ts: now, sig: `v1=${'0'.repeat(64)}`, expected: 'False' },
      { ts: now, sig: 'v1=签名', expected: 'False' },
      { ts: '１２３', sig: signWebhook(secret, now, 'e1', body), expected: 'False' },
      { ts: String(Number(now) - 3600), sig: signWebhook(secret, String(Number(now) - 3600), 'e1', body), expected: 'False' },
    ];
    for (const c of cases) {
      const script = `${python}\nimport json, sys\nc = json.loads(sys.argv[1])\nprint(verify(c["secret"], {"X-Member-Graph-Timestamp": c["ts"], "X-Member-Graph-Event-Id": "e1", "X-Member-Graph-Signature": c["sig"]}, c["body"].encode()))\n`;
      const out = execFileSync('python3', ['-c', script, JSON.stringify({ secret, body, ...c })], { encoding: 'utf8' }).trim();
      expect(out, JSON.stringify(c)).toBe(c.expected);
    }
  });

  it.skipIf(!hasPython)('the standard-library Python sample verifies the Standard Webhooks signature the worker sends', () => {
    expect(pythonStandard).toBeTruthy();
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const body = '{"id":"e1","type":"suggestion.submitted","data":{"title":"标题"}}';
    const now = String(Math.floor(Date.now() / 1000));
    const cases = [
      { ts: now, sig: signStandardWebhook(secret, 'e1', now, body), expected: 'True' },
      { ts: now, sig: `v1,${Buffer.alloc(32).toString('base64')}`, expected: 'False' },
      { ts: now, sig: 'v1,签名', expected: 'False' },
      { ts: String(Number(now) - 3600), sig: signStandardWebhook(secret, 'e1', String(Number(now) - 3600), body), expected: 'False' },
    ];
    for (const c of cases) {
      const script = `${pythonStandard}\nimport json, sys\nc = json.loads(sys.argv[1])\nprint(verify_standard(c["secret"], {"webhook-id": "e1", "webhook-timestamp": c["ts"], "webhook-signature": c["sig"]}, c["body"].encode()))\n`;
      const out = execFileSync('python3', ['-c', script, JSON.stringify({ secret, body, ...c })], { encoding: 'utf8' }).trim();
      expect(out, JSON.stringify(c)).toBe(c.expected);
    }
  });
});
