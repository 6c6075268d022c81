/**
 * Secrets of a development installation. Outside production, JWT_SECRET and ADMIN_PASSWORD may be
 * left unset: the first process to start generates random values into `DATA_DIR/dev-secrets.json`
 * (readable by the owner only) and every later process with the same DATA_DIR (the API, the
 * worker, the scripts) reads the same ones. Nothing is built in, so no two installations share
 * a signing key or an admin password. Production never reads this file: it requires both settings.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevSecrets {
  JWT_SECRET: string;
  ADMIN_PASSWORD: string;
}

export function devSecretsFile(dataDir: string): string {
  return path.join(dataDir, 'dev-secrets.json');
}

/** Fresh random secrets (the admin password meets the password policy: 24 random characters). */
export function generateDevSecrets(): DevSecrets {
  return { JWT_SECRET: randomBytes(32).toString('hex'), ADMIN_PASSWORD: randomBytes(18).toString('base64url') };
}

/** The installation's secrets: read from DATA_DIR, or generated and stored there by the first caller. */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = devSecretsFile(dataDir);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  // Written whole to a private temporary file, then linked into place: link fails when another
  // process got there first, so processes starting together never read half a file or disagree.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, JSON.stringify(generateDevSecrets()), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(temporary, { force: true });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
}
