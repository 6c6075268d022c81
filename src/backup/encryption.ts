/**
 * Encryption of backup files at rest: AES-256-GCM with a random 96-bit IV per file (NIST SP
 * 800-38D §8.2), the authentication tag kept in the manifest. The key comes from
 * BACKUP_ENCRYPTION_KEY; the manifest names it only by a fingerprint, so restoring with the wrong
 * key is refused before any byte is decrypted.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';

export const BACKUP_CIPHER = 'aes-256-gcm';

export interface BackupKey {
  key: Buffer;
  /** A fingerprint of the key, safe to store next to the data. */
  keyId: string;
}

/** The key from its setting (64 hex characters or base64 of 32 bytes), or `undefined` when unset. */
export function backupKey(setting: string | undefined): BackupKey | undefined {
  if (!setting) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(setting) ? Buffer.from(setting, 'hex') : Buffer.from(setting, 'base64');
  if (key.length !== 32) throw new Error('BACKUP_ENCRYPTION_KEY must be 32 bytes');
  const keyId = createHash('sha256').update('breeze-trader backup key\n').update(key).digest('hex').slice(0, 16);
  return { key, keyId };
}

export interface FileEncryption {
  iv: string;
  authTag: string;
}

/** A cipher stream for one file; `finish()` gives what the manifest keeps once the stream ended. */
export function encryptor(key: BackupKey): { stream: CipherGCM; finish(): FileEncryption } {
  const iv = randomBytes(12);
  const stream = createCipheriv(BACKUP_CIPHER, key.key, iv);
  return { stream, finish: () => ({ iv: iv.toString('hex'), authTag: stream.getAuthTag().toString('hex') }) };
}

/** A decipher stream that fails at its end when the file was altered or the key is wrong. */
export function decryptor(key: BackupKey, file: FileEncryption): DecipherGCM {
  const stream = createDecipheriv(BACKUP_CIPHER, key.key, Buffer.from(file.iv, 'hex'));
  stream.setAuthTag(Buffer.from(file.authTag, 'hex'));
  return stream;
}
