/**
 * Sealing the audit inbox into the chain (migration 0190). Records queued by a writer (another
 * transaction held the chain's head) are sealed right after its commit by the process's group
 * sealer, without the writer waiting (append.ts): one sealing statement (a round) seals everything
 * queued when it takes the head, so it covers every writer queued when it began, and those that
 * arrived meanwhile whose records it happened to seal; the others go in the next round. Rounds of
 * different processes (API, worker) and writers sealing inline take turns at the head's lock in the
 * database. Whatever reads the chain seals what is queued first (`sealBeforeRead`).
 *
 * @module
 */
import type { Queryable, Sql } from '../db/pool.ts';

/** The advisory lock on the chain's head (migration 0190): whoever holds it assigns sequence numbers. */
export const AUDIT_HEAD_LOCK = 7_318_402_112;

/** Records sealed per statement: bounds one transaction's size when a backlog built up. */
const SEAL_BATCH = 5000;

/** Seal everything queued now; the inbox ids sealed. Nothing queued costs one query and takes no lock. */
async function sealQueued(sql: Queryable): Promise<Set<number>> {
  const sealed = new Set<number>();
  for (;;) {
    const [row] = await sql<{ ids: (number | string)[] }[]>`select audit_seal(${SEAL_BATCH}) as ids`;
    const ids = row?.ids ?? [];
    for (const id of ids) sealed.add(Number(id));
    if (ids.length < SEAL_BATCH) return sealed;
  }
}

/**
 * Seal everything queued now; how many records. Call it on a pool before reading the chain: in a
 * caller's transaction it would hold the head until that commits.
 */
export async function sealAudit(sql: Queryable): Promise<number> {
  return (await sealQueued(sql)).size;
}

/** Before reading the chain: seal what is queued when `sql` is a pool (a transaction reads as it is). */
export async function sealBeforeRead(sql: Queryable): Promise<void> {
  if ('begin' in sql) await sealAudit(sql);
}

interface GroupSealer {
  /** Resolves once the records queued under `inboxIds` (committed before the call) are sealed. */
  sealed(inboxIds: readonly number[]): Promise<void>;
}

interface Waiter {
  inboxIds: readonly number[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

const sealers = new WeakMap<Sql, GroupSealer>();

/** The one group sealer of a pool. */
export function groupSealer(sql: Sql): GroupSealer {
  let sealer = sealers.get(sql);
  if (!sealer) {
    sealer = createGroupSealer(sql);
    sealers.set(sql, sealer);
  }
  return sealer;
}

function createGroupSealer(sql: Sql): GroupSealer {
  let running = false;
  /** Waiting since before the round under way began: it covers them. */
  let covered: Waiter[] = [];
  /** Arrived during the round under way: it may have read the inbox before their commit. */
  let arrived: Waiter[] = [];

  async function run(): Promise<void> {
    running = true;
    while (covered.length) {
      const round = covered;
      covered = [];
      try {
        const sealed = await sealQueued(sql);
        for (const w of round) w.resolve();
        const late = arrived;
        arrived = [];
        for (const w of late) {
          if (w.inboxIds.every((id) => sealed.has(id))) w.resolve();
          else covered.push(w);
        }
      } catch (err) {
        for (const w of round) w.reject(err);
        covered = arrived;
        arrived = [];
      }
    }
    running = false;
  }

  return {
    sealed(inboxIds) {
      return new Promise<void>((resolve, reject) => {
        const waiter = { inboxIds, resolve, reject };
        if (running) {
          arrived.push(waiter);
          return;
        }
        covered.push(waiter);
        void run();
      });
    },
  };
}
