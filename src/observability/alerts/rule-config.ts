/**
 * Custom alert rules and overrides of the built-ins, from a JSON file (ALERT_RULES_FILE) and/or a
 * JSON string in the environment (ALERT_RULES). A rule is either structured
 * (`{ "id", "metric", "match", "op", "threshold", "for", "severity", "summary" }`) or one small
 * expression (`{ "id", "expr": "breeze_open_positions{account=\"main\"} >= 3 for 5m" }`), parsed by
 * a regular expression: a metric, optional label matchers, a comparison, a number and a duration.
 * Nothing is evaluated as code.
 *
 * A rule whose id is a built-in's changes that rule (only the fields given); `"disabled": true`
 * removes it.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type AlertRule, COMPARISONS, type Comparison, SEVERITIES } from '../../domain/alerts/rules.ts';

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const EXPR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?:for\s+(\d+(?:s|m|h)))?\s*$/;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** `90`, `"90s"`, `"5m"`, `"1h"` as seconds. */
export function parseDuration(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+)(s|m|h)$/.exec(d);
  if (!m) throw new Error(`bad duration "${d}" (expected e.g. 30s, 5m, 1h)`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

export interface ParsedExpr {
  metric: string;
  match: Record<string, string>;
  op: Comparison;
  threshold: number;
  forSeconds?: number;
}

/** Parse `metric{label="v",...} op number [for 5m]`; throws with the reason when it does not fit. */
export function parseExpr(expr: string): ParsedExpr {
  const m = EXPR.exec(expr);
  if (!m) throw new Error(`cannot parse "${expr}": expected metric{label="value"} <op> <number> [for <n>s|m|h]`);
  const match: Record<string, string> = {};
  if (m[2]?.trim()) {
    for (const part of m[2].split(',')) {
      const lm = MATCHER.exec(part);
      if (!lm) throw new Error(`cannot parse the label matcher "${part.trim()}" in "${expr}"`);
      match[lm[1]!] = JSON.parse(`"${lm[2]!}"`) as string;
    }
  }
  return { metric: m[1]!, match, op: m[3] as Comparison, threshold: Number(m[4]), ...(m[5] ? { forSeconds: parseDuration(m[5]) } : {}) };
}

const RuleInput = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and _'),
    expr: z.string().max(500).optional(),
    metric: z.string().regex(METRIC).optional(),
    match: z.record(z.string(), z.string()).optional(),
    op: z.enum(COMPARISONS).optional(),
    threshold: z.number().finite().optional(),
    for: z.union([z.number().int().min(0), z.string().regex(/^\d+(s|m|h)$/)]).optional(),
    severity: z.enum(SEVERITIES).optional(),
    summary: z.string().min(1).max(300).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
type RuleInput = z.infer<typeof RuleInput>;

const RulesDocument = z.union([z.array(RuleInput), z.object({ rules: z.array(RuleInput) }).strict()]);

/** Validate a rules document (an array, or `{ "rules": [...] }`). */
export function parseRulesDocument(json: unknown, source: string): RuleInput[] {
  const parsed = RulesDocument.safeParse(json);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.rules;
}

/** Apply custom rules to the built-ins: override by id, disable, or add. */
export function mergeRules(builtins: AlertRule[], inputs: RuleInput[]): AlertRule[] {
  const rules = new Map(builtins.map((r) => [r.id, r]));
  for (const input of inputs) {
    if (input.disabled) {
      rules.delete(input.id);
      continue;
    }
    const base = rules.get(input.id);
    const fromExpr = input.expr ? parseExpr(input.expr) : undefined;
    const metric = fromExpr?.metric ?? input.metric ?? base?.metric;
    const op = fromExpr?.op ?? input.op ?? base?.op;
    const threshold = fromExpr?.threshold ?? input.threshold ?? base?.threshold;
    if (metric === undefined || op === undefined || threshold === undefined) {
      throw new Error(`rule ${input.id}: give "expr", or "metric", "op" and "threshold"`);
    }
    rules.set(input.id, {
      id: input.id,
      metric,
      match: fromExpr?.match ?? input.match ?? base?.match ?? {},
      op,
      threshold,
      forSeconds: input.for !== undefined ? parseDuration(input.for) : (fromExpr?.forSeconds ?? base?.forSeconds ?? 0),
      severity: input.severity ?? base?.severity ?? 'warning',
      summary: input.summary ?? base?.summary ?? input.expr ?? `${metric} ${op} ${threshold}`,
    });
  }
  return [...rules.values()];
}

export interface RuleSources {
  file?: string | undefined;
  env?: string | undefined;
}

/** The effective rules: built-ins, then the file's rules, then the environment's. */
export async function loadRules(builtins: AlertRule[], sources: RuleSources): Promise<AlertRule[]> {
  const inputs: RuleInput[] = [];
  if (sources.file) {
    const text = await readFile(sources.file, 'utf8');
    inputs.push(...parseRulesDocument(JSON.parse(text), sources.file));
  }
  if (sources.env) inputs.push(...parseRulesDocument(JSON.parse(sources.env), 'ALERT_RULES'));
  return mergeRules(builtins, inputs);
}
