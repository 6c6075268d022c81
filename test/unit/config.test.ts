import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { devSecretsFile, loadOrCreateDevSecrets } from '../../src/config/dev-secrets.ts';
import { parseSettings } from '../support/config.ts';
import { sections, settings } from '../../src/config/settings.ts';
import { configTable, END_MARKER, envExample, START_MARKER } from '../../src/config/docs.ts';

describe('configuration', () => {
  it('has a default and a description for every setting, in its section of the loaded settings', () => {
    const config = parseSettings({});
    for (const [section, schema] of Object.entries(sections)) {
      expect(schema.description, section).toBeTruthy();
      for (const [name, setting] of Object.entries(schema.shape)) {
        expect(setting.description, name).toBeTruthy();
        if (!setting.isOptional()) expect((config[section as keyof typeof sections] as Record<string, unknown>)[name], name).toBeDefined();
      }
    }
  });

  it('puts every setting in exactly one section', () => {
    const names = Object.values(sections).flatMap((s) => Object.keys(s.shape));
    expect(names.length).toBe(new Set(names).size);
    expect(names.sort()).toEqual(Object.keys(settings).sort());
  });

  it('names the variable when a value is wrong', () => {
    expect(() => parseSettings({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseSettings({ SQUARE_OFF_TIME: '25:99' })).toThrow(/SQUARE_OFF_TIME/);
    try {
      parseSettings({ MARKET_HOURS: 'sometimes', RISK_MAX_OPEN_POSITIONS: '-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['MARKET_HOURS', 'RISK_MAX_OPEN_POSITIONS']);
    }
  });

  it('refuses to start production without its own services and secrets', () => {
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

  it('gives each development installation its own secrets, generated once into DATA_DIR and shared by its processes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-secrets-'));
    const first = loadConfig({ DATA_DIR: dir }, { devSecrets: loadOrCreateDevSecrets });
    const second = loadConfig({ DATA_DIR: dir }, { devSecrets: loadOrCreateDevSecrets });
    expect(first.security.JWT_SECRET).toHaveLength(64);
    expect([second.security.JWT_SECRET, second.security.ADMIN_PASSWORD]).toEqual([first.security.JWT_SECRET, first.security.ADMIN_PASSWORD]);
    expect(statSync(devSecretsFile(dir)).mode & 0o777).toBe(0o600);

    const other = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bt-secrets-')) }, { devSecrets: loadOrCreateDevSecrets });
    expect(other.security.JWT_SECRET).not.toBe(first.security.JWT_SECRET);
    expect(other.security.ADMIN_PASSWORD).not.toBe(first.security.ADMIN_PASSWORD);
    // A value that is set wins over the generated one.
    expect(loadConfig({ DATA_DIR: dir, ADMIN_PASSWORD: 'my-own-admin-password' }, { devSecrets: loadOrCreateDevSecrets }).security).toMatchObject({ JWT_SECRET: first.security.JWT_SECRET, ADMIN_PASSWORD: 'my-own-admin-password' });
  });

  it('names JWT_SECRET and ADMIN_PASSWORD when they are unset and nothing generates them', () => {
    try {
      loadConfig({});
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.variable)).toEqual(['JWT_SECRET', 'ADMIN_PASSWORD']);
    }
  });

  it('never generates or reads development secrets in production', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-secrets-'));
    const production = { NODE_ENV: 'production', DATA_DIR: dir, DATABASE_URL: 'postgres://a@b/c', TEMPORAL_ADDRESS: 't:7233' };
    expect(() => loadConfig(production, { devSecrets: loadOrCreateDevSecrets })).toThrow(/JWT_SECRET: required in production/);
    expect(existsSync(devSecretsFile(dir))).toBe(false);
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

  it('lets the postgres user write the WAL archive, and the app user its data and backups', () => {
    const db = compose.services.db as { depends_on?: Record<string, { condition: string }> };
    expect(db.depends_on?.['db-volume-permissions']).toEqual({ condition: 'service_completed_successfully' });
    const fixer = compose.services['db-volume-permissions']!;
    expect(fixer.command).toEqual(['sh', '-c', expect.stringContaining('chown postgres:postgres /wal-archive /base-backups')]);
    expect(fixer.volumes).toEqual(expect.arrayContaining(['wal-archive:/wal-archive', 'base-backups:/base-backups']));
    // The app's named volumes copy the image's ownership of their mount points on first use.
    const appVolumes = compose.services.api!.volumes!.map((v) => v.split(':')[1]);
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const chowned = /RUN mkdir -p ([^&\n]+) && chown node:node ([^\n]+)/.exec(dockerfile);
    for (const dir of appVolumes) expect(chowned?.[2]?.split(' '), dir).toContain(dir);
    expect(compose.services.api!.environment!.BACKUP_DIR).toBe('/backups');
  });
});
