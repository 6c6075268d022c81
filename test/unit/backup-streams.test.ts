import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backupKey, decryptor, encryptor } from '../../src/backup/encryption.ts';
import { HashTap } from '../../src/backup/hash-tap.ts';
import { RowDigest } from '../../src/backup/row-digest.ts';

async function digestOf(chunks: Buffer[]): Promise<RowDigest> {
  const digest = new RowDigest();
  await pipeline(Readable.from(chunks), digest, new Writable({ write: (_c, _e, done) => done() }));
  return digest;
}

/** Split `text` into chunks at the given cut points. */
function cut(text: string, points: number[]): Buffer[] {
  const buf = Buffer.from(text);
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...at, buf.length]) {
    if (p > from) out.push(buf.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

const rowsArb = fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/\n/g, '\\n')), { maxLength: 30 });

describe('RowDigest', () => {
  it('does not depend on row order or on where the stream is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArb, fc.array(fc.nat(), { maxLength: 8 }), async (rows, points) => {
        const text = rows.map((r) => `${r}\n`).join('');
        const reversed = [...rows].reverse().map((r) => `${r}\n`).join('');
        const a = await digestOf(cut(text, points));
        const b = await digestOf([Buffer.from(reversed)]);
        expect(a.digest).toBe(b.digest);
        expect(a.rows).toBe(rows.length);
      }),
    );
  });

  it('changes when a row changes, goes missing or appears twice', async () => {
    const base = await digestOf([Buffer.from('1\ta\n2\tb\n3\tc\n')]);
    expect((await digestOf([Buffer.from('1\ta\n2\tB\n3\tc\n')])).digest).not.toBe(base.digest);
    expect((await digestOf([Buffer.from('1\ta\n3\tc\n')])).digest).not.toBe(base.digest);
    expect((await digestOf([Buffer.from('1\ta\n2\tb\n2\tb\n3\tc\n')])).digest).not.toBe(base.digest);
  });

  it('gives the empty table a digest of zeros', async () => {
    expect((await digestOf([])).digest).toBe('0'.repeat(32));
  });
});

describe('backup encryption', () => {
  const key = backupKey('ab'.repeat(32))!;

  it('accepts a key as 64 hex characters or as base64 of the same bytes, with the same fingerprint', () => {
    expect(backupKey(Buffer.from('ab'.repeat(32), 'hex').toString('base64'))?.keyId).toBe(key.keyId);
    expect(backupKey(undefined)).toBeUndefined();
    expect(() => backupKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });

  async function roundTrip(plain: Buffer, tamper?: (b: Buffer) => void, other = key): Promise<Buffer> {
    const enc = encryptor(key);
    const sealed: Buffer[] = [];
    await pipeline(Readable.from([plain]), enc.stream, new Writable({ write: (c: Buffer, _e, done) => (sealed.push(c), done()) }));
    const data = Buffer.concat(sealed);
    tamper?.(data);
    const out: Buffer[] = [];
    await pipeline(Readable.from([data]), decryptor(other, enc.finish()), new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) }));
    return Buffer.concat(out);
  }

  it('decrypts what it encrypted', async () => {
    const plain = Buffer.from('1\tRELIANCE\t245000\n'.repeat(1000));
    expect(await roundTrip(plain)).toEqual(plain);
  });

  it('fails authentication when one byte of the ciphertext is flipped', async () => {
    await expect(roundTrip(Buffer.from('x'.repeat(100)), (b) => void (b[50]! ^= 1))).rejects.toThrow(/authenticate/);
  });

  it('fails authentication with another key', async () => {
    await expect(roundTrip(Buffer.from('x'.repeat(100)), undefined, backupKey('cd'.repeat(32))!)).rejects.toThrow(/authenticate/);
  });
});

it('HashTap hashes and counts the bytes that pass', async () => {
  const tap = new HashTap();
  await pipeline(Readable.from([Buffer.from('abc')]), tap, new Writable({ write: (_c, _e, done) => done() }));
  expect({ bytes: tap.bytes, sha256: tap.sha256 }).toEqual({ bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
});
