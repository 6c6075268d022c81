/**
 * What a backup covers, read from the catalog rather than listed by hand, so a table another
 * migration adds is backed up without anyone remembering to: every table of the public schema
 * except the migration ledger (the schema comes from migrations, at the version the manifest
 * names) and the backup registry (it describes backups, and is never rewound by a restore).
 *
 * @module
 */
import type { Queryable } from '../db/pool.ts';

export const NOT_BACKED_UP = ['schema_migrations', 'backups'] as const;

export interface TableInfo {
  name: string;
  /** Stored columns in table order (generated columns are computed again on load). */
  columns: string[];
  /** Tables this one references by foreign key (itself left out). */
  parents: string[];
}

export interface SequenceInfo {
  name: string;
  /** The table whose column owns the sequence (serial, identity), if any. */
  ownedBy: string | null;
}

export interface SequenceValue extends SequenceInfo {
  lastValue: number;
  isCalled: boolean;
}

/** Every table a backup covers, parents before children (the order a restore loads them in). */
export async function listTables(sql: Queryable): Promise<TableInfo[]> {
  const rows = await sql<TableInfo[]>`
    select c.relname::text as name,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
            order by a.attnum) as columns,
      array(select distinct p.relname::text from pg_constraint k join pg_class p on p.oid = k.confrelid
            where k.conrelid = c.oid and k.contype = 'f' and k.confrelid <> c.oid) as parents
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and c.relname::text not in ${sql(NOT_BACKED_UP as unknown as string[])}
    order by c.relname`;
  return parentsFirst(rows);
}

/** Topological order by foreign keys; ties by name so two runs agree. */
export function parentsFirst(tables: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: TableInfo[] = [];
  const visit = (t: TableInfo, path: string[]) => {
    if (done.has(t.name)) return;
    if (visiting.has(t.name)) throw new Error(`foreign keys form a cycle (${[...path, t.name].join(' -> ')}): a table-by-table restore cannot order them`);
    visiting.add(t.name);
    for (const parent of [...t.parents].sort()) {
      const p = byName.get(parent);
      if (p) visit(p, [...path, t.name]);
    }
    visiting.delete(t.name);
    done.add(t.name);
    ordered.push(t);
  };
  for (const t of [...tables].sort((a, b) => (a.name < b.name ? -1 : 1))) visit(t, []);
  return ordered;
}

export async function listSequences(sql: Queryable): Promise<SequenceInfo[]> {
  return sql<SequenceInfo[]>`
    select s.relname::text as name,
      (select t.relname::text from pg_depend d join pg_class t on t.oid = d.refobjid
        where d.classid = 'pg_class'::regclass and d.objid = s.oid and d.refclassid = 'pg_class'::regclass
          and d.deptype in ('a', 'i') limit 1) as "ownedBy"
    from pg_class s join pg_namespace n on n.oid = s.relnamespace
    where n.nspname = 'public' and s.relkind = 'S'
    order by s.relname`;
}

/**
 * Current values of the sequences. Sequences are not transactional: inside a snapshot this reads
 * today's value, never one behind the rows the snapshot shows, so a restore that sets it can
 * leave a gap but never hand out an id twice.
 */
export async function readSequences(sql: Queryable, sequences: readonly SequenceInfo[]): Promise<SequenceValue[]> {
  const values: SequenceValue[] = [];
  for (const s of sequences) {
    const [row] = await sql<{ lastValue: number; isCalled: boolean }[]>`select last_value as "lastValue", is_called as "isCalled" from ${sql(s.name)}`;
    if (!row) throw new Error(`sequence ${s.name} returned nothing`);
    values.push({ ...s, ...row });
  }
  return values;
}
