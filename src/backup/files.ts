/**
 * Where a backup lives on disk and how its files are read back: one directory per backup under
 * BACKUP_DIR, `data/<table>.copy.gz` (`.enc` when encrypted), `config.json`, `manifest.json`, and
 * `verification.json` once verified.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Readable, type Transform, Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Config } from '../config.ts';
import { BACKUP_ID_PATTERN } from '../domain/backups.ts';
import { type BackupKey, decryptor } from './encryption.ts';
import { HashTap } from './hash-tap.ts';
import type { Manifest, TableEntry } from './manifest.ts';
import { RowDigest } from './row-digest.ts';

export const CONFIG_FILE = 'config.json';
export const VERIFICATION_FILE = 'verification.json';

export function backupRoot(config: Pick<Config, 'backup' | 'dataDir'>): string {
  return path.resolve(config.backup.BACKUP_DIR ?? path.join(config.dataDir, 'backups'));
}

/** The directory of one backup; refuses ids that could point outside the root. */
export function backupDir(root: string, id: string): string {
  if (!BACKUP_ID_PATTERN.test(id)) throw new Error(`not a backup id: ${JSON.stringify(id)}`);
  return path.join(root, id);
}

export function tableFile(table: string, encrypted: boolean): string {
  return `data/${table}.copy.gz${encrypted ? '.enc' : ''}`;
}

/** A table file read back: its bytes hashed, decrypted, decompressed and digested on the way. */
export interface TableReader {
  source: Readable;
  transforms: Transform[];
  tap: HashTap;
  digest: RowDigest;
}

export function readTable(dir: string, entry: TableEntry, key: BackupKey | undefined, onProgress?: (bytes: number) => void): TableReader {
  const tap = new HashTap();
  const digest = new RowDigest(onProgress);
  const transforms: Transform[] = [tap];
  if (entry.encryption) {
    if (!key) throw new Error(`${entry.file} is encrypted: set BACKUP_ENCRYPTION_KEY`);
    transforms.push(decryptor(key, entry.encryption));
  }
  transforms.push(createGunzip(), digest);
  return { source: createReadStream(path.join(dir, entry.file)), transforms, tap, digest };
}

/** The key a manifest needs, checked against the one configured. */
export function keyFor(manifest: Manifest, key: BackupKey | undefined): BackupKey | undefined {
  if (!manifest.encryption) return undefined;
  if (!key) throw new Error(`backup ${manifest.id} is encrypted: set BACKUP_ENCRYPTION_KEY`);
  if (key.keyId !== manifest.encryption.keyId) {
    throw new Error(`backup ${manifest.id} was encrypted with key ${manifest.encryption.keyId}, BACKUP_ENCRYPTION_KEY is ${key.keyId}`);
  }
  return key;
}

async function fileDigest(file: string): Promise<{ bytes: number; sha256: string }> {
  const tap = new HashTap();
  await pipeline(createReadStream(file), tap, new Writable({ write: (_chunk, _encoding, done) => done() }));
  return { bytes: tap.bytes, sha256: tap.sha256 };
}

/**
 * Check every file against the manifest (size and SHA-256) before anything is loaded: a flipped
 * byte or a missing file is named here. Returns the problems found; empty when all match.
 */
export async function checkFiles(dir: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  const expected = [...manifest.tables.map((t) => ({ file: t.file, bytes: t.bytes, sha256: t.sha256 })), manifest.config];
  for (const f of expected) {
    try {
      const actual = await fileDigest(path.join(dir, f.file));
      if (actual.bytes !== f.bytes) problems.push(`${f.file}: ${actual.bytes} bytes, the manifest says ${f.bytes}`);
      else if (actual.sha256 !== f.sha256) problems.push(`${f.file}: SHA-256 differs from the manifest (file altered or corrupted)`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(code === 'ENOENT' ? `${f.file}: missing` : `${f.file}: unreadable (${code ?? String(err)})`);
    }
  }
  return problems;
}
