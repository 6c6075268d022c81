/**
 * The backups on disk, read from their manifests and verification files alone: what a restore
 * uses, because when the database is lost the registry is lost with it.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BACKUP_ID_PATTERN } from '../domain/backups.ts';
import { VERIFICATION_FILE } from './files.ts';
import { type Manifest, readManifest } from './manifest.ts';

export interface BackupOnDisk {
  dir: string;
  manifest: Manifest;
  manifestSha256: string;
  /** Verified, and the verification was of this very manifest. */
  verified: boolean;
  verifiedAt: string | null;
}

async function verification(dir: string, manifestSha256: string): Promise<{ verified: boolean; verifiedAt: string | null }> {
  try {
    const v = JSON.parse(await readFile(path.join(dir, VERIFICATION_FILE), 'utf8')) as { ok?: unknown; manifestSha256?: unknown; startedAt?: unknown };
    const verified = v.ok === true && v.manifestSha256 === manifestSha256;
    return { verified, verifiedAt: verified && typeof v.startedAt === 'string' ? v.startedAt : null };
  } catch {
    return { verified: false, verifiedAt: null };
  }
}

export async function readBackupOnDisk(dir: string): Promise<BackupOnDisk> {
  const { manifest, sha256 } = await readManifest(dir);
  return { dir, manifest, manifestSha256: sha256, ...(await verification(dir, sha256)) };
}

/** Every complete backup under `root` (a directory with a valid manifest), newest snapshot first. */
export async function listBackupsOnDisk(root: string): Promise<BackupOnDisk[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const found: BackupOnDisk[] = [];
  for (const name of names.filter((n) => BACKUP_ID_PATTERN.test(n))) {
    try {
      found.push(await readBackupOnDisk(path.join(root, name)));
    } catch {
      // no manifest (still being written, or failed): not a backup
    }
  }
  return found.sort((a, b) => Date.parse(b.manifest.snapshotAt) - Date.parse(a.manifest.snapshotAt));
}

/** The newest verified backup whose snapshot is at or before `at`. */
export function latestVerifiedAt(backups: readonly BackupOnDisk[], at: Date): BackupOnDisk | undefined {
  return backups.find((b) => b.verified && Date.parse(b.manifest.snapshotAt) <= at.getTime());
}
