import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config';

describe('configuration', () => {
  it('has working defaults: port 3000 and the SQLite file under ./data', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('./data/palabre.sqlite');
    expect(config.NODE_ENV).toBe('development');
    expect(config.COOKIE_SECURE).toBe(false);
  });

  it('makes cookies Secure in production unless told otherwise', () => {
    expect(parseConfig({ NODE_ENV: 'production' }).COOKIE_SECURE).toBe(true);
    expect(parseConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe(false);
  });

  it('names the variable and its value when one is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT="70000": expected a port number from 0 to 65535/);
    expect(() => parseConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV="staging"/);
    expect(() => parseConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY="maybe": expected false, true \(one reverse proxy\)/);
    expect(parseConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(parseConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(parseConfig({}).TRUST_PROXY).toBe(0);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(3000);
  });
});
