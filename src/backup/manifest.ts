/**
 * `manifest.json`: everything needed to restore a backup when the database (and its registry) is
 * gone: what was copied, how (compression, encryption), at which schema version, and the
 * checksums that prove the files are what was written. Written last, by rename, so a directory
 * with a manifest is a complete backup.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BACKUP_KINDS } from '../domain/backups.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'breeze-trader-backup/1';

const Hex = z.string().regex(/^[0-9a-f]+$/);
const FileEncryption = z.object({ iv: Hex, authTag: Hex });

const TableEntry = z.object({
  name: z.string(),
  columns: z.array(z.string()),
  file: z.string(),
  rows: z.number().int().nonnegative(),
  /** Order-independent digest of the rows' COPY text (row-digest.ts). */
  rowsDigest: Hex,
  /** Bytes of COPY text before compression. */
  rawBytes: z.number().int().nonnegative(),
  /** Size and SHA-256 of the file as stored (after compression and encryption). */
  bytes: z.number().int().nonnegative(),
  sha256: Hex,
  encryption: FileEncryption.nullable(),
});

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  kind: z.enum(BACKUP_KINDS),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  /** The instant the snapshot shows: the backup transaction's start, by the database clock. */
  snapshotAt: z.iso.datetime(),
  appVersion: z.string(),
  schemaVersion: z.number().int().nonnegative(),
  serverVersion: z.string(),
  compression: z.literal('gzip'),
  encryption: z.object({ algorithm: z.literal('aes-256-gcm'), keyId: z.string() }).nullable(),
  auditHead: z.object({ seq: z.number().int().nonnegative(), hash: Hex }),
  sequences: z.array(z.object({ name: z.string(), ownedBy: z.string().nullable(), lastValue: z.number().int(), isCalled: z.boolean() })),
  tables: z.array(TableEntry),
  config: z.object({ file: z.string(), bytes: z.number().int().nonnegative(), sha256: Hex }),
  totals: z.object({ rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), rawBytes: z.number().int().nonnegative() }),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type TableEntry = z.infer<typeof TableEntry>;

/** Write the manifest atomically; returns the SHA-256 of its bytes. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const target = path.join(dir, MANIFEST_FILE);
  await writeFile(`${target}.tmp`, text, { mode: 0o600 });
  await rename(`${target}.tmp`, target);
  return createHash('sha256').update(text).digest('hex');
}

export async function readManifest(dir: string): Promise<{ manifest: Manifest; sha256: string }> {
  const text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  const manifest = ManifestSchema.parse(JSON.parse(text));
  return { manifest, sha256: createHash('sha256').update(text).digest('hex') };
}
