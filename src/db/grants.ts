/**
 * Rights of the application's login role. The schema belongs to the migration (owner) role; the
 * application may read and write its tables, but append-only tables only take INSERT and SELECT:
 * even a compromised application cannot rewrite history there.
 *
 * @module
 */
import type { TxSql } from './pool.ts';

/** Tables the application may only append to and read. */
export const APPEND_ONLY_TABLES = ['audit_events'] as const;
/**
 * Tables the application may only read: archives are registered by audit_archive_range(), which
 * checks them against the chain (migration 0060), the audit policy belongs to the owner, and the
 * audit inbox is written and emptied only by audit_append() and audit_seal() (migration 0190).
 */
export const READ_ONLY_TABLES = ['audit_archives', 'audit_policy', 'audit_inbox'] as const;

/** Functions the application calls, which run with the owner's rights. */
const APP_FUNCTIONS = ['audit_archive_range(bigint, bigint, text, bigint, text, text)', 'audit_append(text[])', 'audit_seal(int)'] as const;

export async function grantAppRole(tx: TxSql, role: string): Promise<void> {
  const [me] = await tx<{ user: string }[]>`select current_user as user`;
  if (me?.user === role) return; // single-role setup: the triggers are the only guard
  const name = tx(role);
  await tx`grant usage on schema public to ${name}`;
  await tx`grant select, insert, update, delete on all tables in schema public to ${name}`;
  await tx`grant usage, select on all sequences in schema public to ${name}`;
  const present = async (table: string) => (await tx<{ present: boolean }[]>`select to_regclass(${table}) is not null as present`)[0]?.present;
  for (const table of APPEND_ONLY_TABLES) {
    if (await present(table)) await tx`revoke update, delete, truncate on ${tx(table)} from ${name}`;
  }
  for (const table of READ_ONLY_TABLES) {
    if (await present(table)) await tx`revoke insert, update, delete, truncate on ${tx(table)} from ${name}`;
  }
  for (const fn of APP_FUNCTIONS) {
    const [found] = await tx<{ present: boolean }[]>`select to_regprocedure(${fn}) is not null as present`;
    // a signature from the list above, never user input
    if (found?.present) await tx.unsafe(`grant execute on function ${fn} to "${role.replaceAll('"', '""')}"`);
  }
}

/** The audit retention the database enforces (audit_archive_range refuses younger records); as the schema owner. */
export async function setAuditRetention(tx: TxSql, days: number): Promise<void> {
  const [policy] = await tx<{ present: boolean }[]>`select to_regclass('audit_policy') is not null as present`;
  if (policy?.present) await tx`update audit_policy set min_retention_days = ${days} where id = 1`;
}
