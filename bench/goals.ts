/**
 * One row of the goals table that `npm run bench` writes (bench/results/latest.json `table`):
 * what was measured, its value, the goal and whether this run met it. Each benchmark returns its
 * rows; docs/benchmarks.md shows the same table with the reasons for the goals not met.
 */
export interface GoalRow {
  row: string;
  value: string;
  goal: string;
  met: boolean;
}

export const goalRow = (row: string, value: string, goal: string, met: boolean): GoalRow => ({ row, value, goal, met });

/** Every `rows` array found in a benchmark's result, however deep (security has one per store). */
export function collectRows(result: unknown): GoalRow[] {
  if (!result || typeof result !== 'object') return [];
  const found: GoalRow[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (key === 'rows' && Array.isArray(value)) found.push(...(value as GoalRow[]));
    else if (value && typeof value === 'object' && !Array.isArray(value)) found.push(...collectRows(value));
  }
  return found;
}
