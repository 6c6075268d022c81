/**
 * The effective settings of a section at the last start (`config_snapshots`), and when a start last
 * loosened them through the environment (for the config_loosened_by_environment alert).
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export async function readConfigSnapshot(sql: Queryable, section: string): Promise<Record<string, string | number | boolean | null> | undefined> {
  const [row] = await sql<{ settings: Record<string, string | number | boolean | null> }[]>`select settings from config_snapshots where section = ${section}`;
  return row?.settings;
}

export async function writeConfigSnapshot(sql: Queryable, section: string, settings: Record<string, string | number | boolean | null>): Promise<void> {
  await sql`
    insert into config_snapshots (section, settings) values (${section}, ${sql.json(settings)})
    on conflict (section) do update set settings = excluded.settings, recorded_at = now()`;
}

/** When the newest start that loosened settings through the environment was, if after `since`. */
export async function lastEnvironmentLoosening(sql: Queryable, since: Date): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`
    select max(occurred_at) as at from audit_events
    where event_type = 'CONFIG_CHANGED' and occurred_at >= ${since}
      and payload->>'source' = 'environment' and jsonb_array_length(coalesce(payload->'loosened', '[]'::jsonb)) > 0`;
  return row?.at ?? null;
}
