import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults for a first start', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.DATA_DIR).toBe('./.data');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.introspection).toBe(true);
    expect(config.CORS_ORIGINS).toEqual([]);
  });

  it('turns introspection off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('reports every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', NODE_ENV: 'staging', LOG_LEVEL: 'loud', AUTH_JWKS_URL: 'not a url', CORS_ORIGINS: 'https://ok.example, nope', GRAPHQL_INTROSPECTION: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'NODE_ENV', 'LOG_LEVEL', 'AUTH_JWKS_URL', 'CORS_ORIGINS', 'GRAPHQL_INTROSPECTION']) {
      expect(problems).toContain(name);
    }
  });

  it('parses CORS origins as a list', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('drains 10 s on SIGTERM in production by default (at most half the shutdown timeout), not in development or test', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(10_000);
    expect(loadConfig({ NODE_ENV: 'production', SHUTDOWN_TIMEOUT_MS: '6000' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(3000);
    expect(loadConfig({ NODE_ENV: 'production', SHUTDOWN_DRAIN_DELAY_MS: '0' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
    expect(loadConfig({}).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(0);
    expect(loadConfig({ NODE_ENV: 'development', SHUTDOWN_DRAIN_DELAY_MS: '2500' }).SHUTDOWN_DRAIN_DELAY_MS).toBe(2500);
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const lines = text.split('\n').map((line) => /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)).filter((m) => m !== null);

  it('lists every setting of src/config.ts once, and nothing else', () => {
    const listed = lines.map((m) => m[2]);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('gives each set line the default, and leaves commented out only what is unset by default', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [, commented, key, value] of lines) {
      if (commented) {
        expect({ key, value }).toEqual({ key, value: '' });
        if (key !== 'SHUTDOWN_DRAIN_DELAY_MS' && key !== 'GRAPHQL_INTROSPECTION') expect({ key, default: defaults[key!] }).toEqual({ key, default: undefined });
      } else {
        expect({ key, parsed: (loadConfig({ [key!]: value }) as Record<string, unknown>)[key!] }).toEqual({ key, parsed: defaults[key!] });
      }
    }
  });

  it('has a comment line above each setting', () => {
    const all = text.split('\n');
    for (const [line] of lines) {
      const above = all[all.indexOf(line) - 1] ?? '';
      expect({ line, above: above.startsWith('# ') && !/^#\s*[A-Z][A-Z0-9_]*=/.test(above) }).toEqual({ line, above: true });
    }
  });
});
