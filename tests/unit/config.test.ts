import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src-main/runtime/config';

describe('readConfig: the environment parsed once', () => {
  it('defaults to the embedded database in ./.data', () => {
    expect(readConfig({})).toEqual({ databaseUrl: undefined, dataDir: resolve('.data'), feedListen: { host: '127.0.0.1', port: 4781 } });
    expect(readConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('takes a team server, an SQLite file or a data folder', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://desk:pw@db.example/disputes' }).databaseUrl).toBe(
      'postgres://desk:pw@db.example/disputes',
    );
    expect(readConfig({ DATABASE_URL: ' sqlite:/var/desk.sqlite ' }).databaseUrl).toBe('sqlite:/var/desk.sqlite');
    expect(readConfig({ DATABASE_URL: '/var/desk.sqlite' }).databaseUrl).toBe('/var/desk.sqlite');
    expect(readConfig({ MEDIATION_DESK_DATA: '/srv/desk' }).dataDir).toBe('/srv/desk');
  });

  it('refuses a database URL of another kind with a sentence naming the variable', () => {
    expect(() => readConfig({ DATABASE_URL: 'mysql://root@localhost/desk' })).toThrow(ConfigError);
    expect(() => readConfig({ DATABASE_URL: 'mysql://root@localhost/desk' })).toThrow(/DATABASE_URL must be postgres:\/\//);
    expect(() => readConfig({ MEDIATION_DESK_DATA: '  ' })).toThrow(/MEDIATION_DESK_DATA must name a folder/);
  });

  it('reads the feed listener: loopback by default, host:port, [ipv6]:port or off; a sentence when wrong', () => {
    expect(readConfig({ MEDIATION_DESK_FEED_LISTEN: '0.0.0.0:8443' }).feedListen).toEqual({ host: '0.0.0.0', port: 8443 });
    expect(readConfig({ MEDIATION_DESK_FEED_LISTEN: '[::1]:4781' }).feedListen).toEqual({ host: '::1', port: 4781 });
    expect(readConfig({ MEDIATION_DESK_FEED_LISTEN: 'off' }).feedListen).toBeNull();
    for (const bad of ['4781', 'localhost:0', 'localhost:70000', 'http://x:1'])
      expect(() => readConfig({ MEDIATION_DESK_FEED_LISTEN: bad }), bad).toThrow(/MEDIATION_DESK_FEED_LISTEN must be host:port/);
  });
});
