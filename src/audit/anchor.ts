/**
 * Anchors: the chain head (sequence number and hash) written outside the database, in
 * `DATA_DIR/audit/anchors.jsonl` and in the log, with an HMAC under a key PostgreSQL never sees.
 * Someone who can write the table could recompute the whole chain; they cannot make it agree with
 * the anchors already written.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../db/pool.ts';
import type { Logger } from '../config/logger.ts';
import { chainHead } from './records.ts';
import { sealBeforeRead } from './seal.ts';

export interface Anchor {
  seq: number;
  hash: string;
  anchoredAt: string;
  mac: string;
}

export function anchorsFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'anchors.jsonl');
}

function macOf(key: string, a: Omit<Anchor, 'mac'>): string {
  return createHmac('sha256', key).update(`${a.seq}|${a.hash}|${a.anchoredAt}`).digest('hex');
}

/** Append the current head as an anchor line (skipped when the head has not moved since the last one). */
export async function writeAnchor(sql: Queryable, file: string, key: string, log: Logger, now = new Date()): Promise<Anchor> {
  // what is committed belongs under the anchor: seal it first
  await sealBeforeRead(sql);
  const head = await chainHead(sql);
  const { anchors } = await readAnchors(file, key);
  const last = anchors.at(-1);
  if (last && last.seq === head.seq && last.hash === head.hash) return last;
  const body = { seq: head.seq, hash: head.hash, anchoredAt: now.toISOString() };
  const anchor: Anchor = { ...body, mac: macOf(key, body) };
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(anchor)}\n`, { mode: 0o640 });
  log.info({ auditAnchor: anchor }, 'audit chain anchored');
  return anchor;
}

/** The anchors whose MAC checks out, and the line numbers of those that do not. */
export async function readAnchors(file: string, key: string): Promise<{ anchors: Anchor[]; invalidLines: number[] }> {
  if (!existsSync(file)) return { anchors: [], invalidLines: [] };
  const anchors: Anchor[] = [];
  const invalidLines: number[] = [];
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const a = JSON.parse(line) as Anchor;
      const expected = Buffer.from(macOf(key, a), 'hex');
      const given = Buffer.from(String(a.mac), 'hex');
      if (given.length === expected.length && timingSafeEqual(given, expected)) anchors.push(a);
      else invalidLines.push(i + 1);
    } catch {
      invalidLines.push(i + 1);
    }
  });
  return { anchors, invalidLines };
}
