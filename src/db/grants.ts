/**
 * Rights of the application's login role. The schema belongs to the migration (owner) role; the
 * application may read and write its tables, but append-only tables only take INSERT and SELECT:
 * even a compromised application cannot rewrite history there.
 *
 * @module
 */
import type { TxSql } from './pool.ts';

/** Tables the application may only append to and read. */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_archives'] as const;

export async function grantAppRole(tx: TxSql, role: string): Promise<void> {
  const [me] = await tx<{ user: string }[]>`select current_user as user`;
  if (me?.user === role) return; // single-role setup: the triggers are the only guard
  const name = tx(role);
  await tx`grant usage on schema public to ${name}`;
  await tx`grant select, insert, update, delete on all tables in schema public to ${name}`;
  await tx`grant usage, select on all sequences in schema public to ${name}`;
  for (const table of APPEND_ONLY_TABLES) {
    const [exists] = await tx<{ present: boolean }[]>`select to_regclass(${table}) is not null as present`;
    if (exists?.present) await tx`revoke update, delete, truncate on ${tx(table)} from ${name}`;
  }
}
