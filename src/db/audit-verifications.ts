/**
 * Queries of `audit_verifications`: the results of the periodic chain walk. Scrapes and the
 * console read the newest result; only the evaluator walks the chain.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface AuditVerificationRow {
  startedAt: Date;
  finishedAt: Date;
  ok: boolean;
  records: number;
  headSeq: number;
  firstBadSeq: number | null;
  reason: string | null;
}

export async function recordVerification(sql: Queryable, v: AuditVerificationRow): Promise<void> {
  await sql`
    insert into audit_verifications (started_at, finished_at, ok, records, head_seq, first_bad_seq, reason)
    values (${v.startedAt}, ${v.finishedAt}, ${v.ok}, ${v.records}, ${v.headSeq}, ${v.firstBadSeq}, ${v.reason})`;
  // Keep a week's worth of history; older walks say nothing the newest does not.
  await sql`delete from audit_verifications where finished_at < ${new Date(v.finishedAt.getTime() - 7 * 86_400_000)}`;
}

export async function lastVerification(sql: Queryable): Promise<AuditVerificationRow | undefined> {
  const [row] = await sql<AuditVerificationRow[]>`
    select started_at as "startedAt", finished_at as "finishedAt", ok, records, head_seq as "headSeq",
      first_bad_seq as "firstBadSeq", reason
    from audit_verifications order by id desc limit 1`;
  return row;
}
