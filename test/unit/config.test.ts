import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig, settings } from '../../src/config.ts';
import { configTable, END_MARKER, envExample, START_MARKER } from '../../src/config-docs.ts';

describe('configuration', () => {
  it('has a default and a description for every setting', () => {
    const config = loadConfig({});
    for (const [name, schema] of Object.entries(settings)) {
      expect(schema.description, name).toBeTruthy();
      if (!schema.isOptional()) expect(config[name as keyof typeof config], name).toBeDefined();
    }
  });

  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SQUARE_OFF_TIME: '25:99' })).toThrow(/SQUARE_OFF_TIME/);
    try {
      loadConfig({ MARKET_HOURS: 'sometimes', RISK_MAX_OPEN_POSITIONS: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['MARKET_HOURS', 'RISK_MAX_OPEN_POSITIONS']);
    }
  });

  it('refuses development defaults in production', () => {
    try {
      loadConfig({ NODE_ENV: 'production' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['ADMIN_PASSWORD', 'DATABASE_URL', 'JWT_SECRET', 'TEMPORAL_ADDRESS']);
    }
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c', TEMPORAL_ADDRESS: 't:7233', JWT_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'a-real-one-for-prod' }),
    ).not.toThrow();
  });

  it('is documented in the README table and .env.example exactly as the schema says (npm run docs:config)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf(START_MARKER) + START_MARKER.length, readme.indexOf(END_MARKER)).trim();
    expect(table).toBe(configTable());
    expect(readFileSync('.env.example', 'utf8')).toBe(envExample());
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, unknown>; volumes?: string[]; command?: unknown; build?: string; image?: string }>;
  };

  it('has the production shape: PostgreSQL, Temporal on PostgreSQL with its schema setup, the UI, api, worker and Prometheus', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['db', 'temporal-db', 'temporal-schema', 'temporal', 'temporal-setup', 'temporal-ui', 'api', 'worker', 'prometheus']));
    expect(compose.services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'temporal-db' });
    expect(compose.services.api!.build).toBe('.');
    expect(existsSync('Dockerfile')).toBe(true);
  });

  it('sets only settings the application knows for api and worker', () => {
    for (const name of ['api', 'worker']) {
      const unknown = Object.keys(compose.services[name]!.environment ?? {}).filter((k) => !(k in settings));
      expect(unknown, name).toEqual([]);
    }
  });

  it('mounts files that exist in the repository', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(source), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('archives WAL for point-in-time recovery', () => {
    const command = (compose.services.db!.command as string[]).join(' ');
    expect(command).toContain('wal_level=replica');
    expect(command).toContain('archive_mode=on');
  });
});
