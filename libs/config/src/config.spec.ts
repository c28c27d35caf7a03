import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/sextant');
    expect(config.databaseUrl).toBeNull();
    expect(config.embeddedPostgres.dataDir).toBe('/srv/sextant/.sextant/postgres');
    expect(config.api.port).toBe(3000);
    expect(config.portal.port).toBe(3001);
    expect(config.portal.apiUrl).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['API_PORT', 'abc', /API_PORT: expected a port number/],
    ['API_PORT', '70000', /API_PORT/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: not a valid URL/],
    ['DATABASE_URL', 'mysql://localhost/db', /postgres/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of debug, info, warn, error/],
    ['SEXTANT_DEMO_DATA', 'maybe', /SEXTANT_DEMO_DATA/],
    ['API_DB_POOL_SIZE', '0', /API_DB_POOL_SIZE: expected a whole number 1-500/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
