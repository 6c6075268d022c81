/**
 * Queries of `user_totp` and `recovery_codes` (migration 0160).
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface TotpRow {
  userId: string;
  secretEnc: string;
  confirmedAt: Date | null;
  lastStep: number | null;
}

export async function totpOf(sql: Queryable, userId: string, lock = false): Promise<TotpRow | undefined> {
  const [row] = await sql<TotpRow[]>`
    select user_id as "userId", secret_enc as "secretEnc", confirmed_at as "confirmedAt", last_step::float8 as "lastStep"
    from user_totp where user_id = ${userId} ${lock ? sql`for update` : sql``}`;
  return row;
}

/** Start (or start over) an enrolment: a pending secret and its recovery codes replace any pending ones. */
export async function savePendingTotp(sql: Queryable, userId: string, secretEnc: string, codeHashes: string[]): Promise<void> {
  await sql`
    insert into user_totp (user_id, secret_enc) values (${userId}, ${secretEnc})
    on conflict (user_id) do update set secret_enc = excluded.secret_enc, confirmed_at = null, last_step = null, created_at = now()`;
  await sql`delete from recovery_codes where user_id = ${userId}`;
  for (const hash of codeHashes) await sql`insert into recovery_codes (user_id, code_hash) values (${userId}, ${hash})`;
}

export async function confirmTotp(sql: Queryable, userId: string, step: number): Promise<void> {
  await sql`update user_totp set confirmed_at = now(), last_step = ${step} where user_id = ${userId}`;
}

/** Take the step of an accepted code; false when this step (or a later one) was already taken: a replay. */
export async function takeTotpStep(sql: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await sql`update user_totp set last_step = ${step} where user_id = ${userId} and (last_step is null or last_step < ${step}) returning user_id`;
  return rows.length === 1;
}

/** Remove a user's second factor and recovery codes; true when there was one. */
export async function deleteTotp(sql: Queryable, userId: string): Promise<boolean> {
  await sql`delete from recovery_codes where user_id = ${userId}`;
  const rows = await sql`delete from user_totp where user_id = ${userId} returning user_id`;
  return rows.length === 1;
}

export async function unusedRecoveryCodes(sql: Queryable, userId: string): Promise<{ id: string; codeHash: string }[]> {
  return sql<{ id: string; codeHash: string }[]>`select id::text as id, code_hash as "codeHash" from recovery_codes where user_id = ${userId} and used_at is null`;
}

/** Use a recovery code once; false when it was used meanwhile. */
export async function useRecoveryCode(sql: Queryable, id: string): Promise<boolean> {
  const rows = await sql`update recovery_codes set used_at = now() where id = ${id} and used_at is null returning id`;
  return rows.length === 1;
}

/** True when the user has a confirmed second factor. */
export async function hasSecondFactor(sql: Queryable, userId: string): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from user_totp where user_id = ${userId} and confirmed_at is not null`;
  return (row?.n ?? 0) > 0;
}
