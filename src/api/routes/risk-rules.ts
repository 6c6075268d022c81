/**
 * The India rule pack's switches (per account): read them, and turn rules on or off (admin,
 * audited with old and new values).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { lockAccount } from '../../db/accounts.ts';
import { ruleSwitchOverrides, writeRuleSwitches } from '../../db/instrument-rules.ts';
import { transaction } from '../../db/transaction.ts';
import { INDIA_RULES, switchesFrom } from '../../domain/risk/india-rules.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';

const Switches = z.object(Object.fromEntries(INDIA_RULES.map((r) => [r, z.boolean()])) as Record<(typeof INDIA_RULES)[number], z.ZodBoolean>).openapi('RuleSwitches');

const read = createRoute({ method: 'get', path: '/', tags: ['risk'], summary: 'The India rule pack: which rules are on', responses: { 200: { description: 'Switches', content: { 'application/json': { schema: Switches } } } } });
const change = createRoute({
  method: 'put',
  path: '/',
  tags: ['risk'],
  summary: 'Turn India rules on or off',
  request: { body: { content: { 'application/json': { schema: Switches.partial().strict() } }, required: true } },
  responses: { 200: { description: 'Switches now', content: { 'application/json': { schema: Switches } } } },
});

export function riskRuleRoutes({ sql, audit }: Pick<AppDeps, 'sql' | 'audit'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(read, async (c) => c.json(switchesFrom(await ruleSwitchOverrides(sql, principalOf(c).accountId)), 200))
    .openapi(change, async (c) => {
      const principal = principalOf(c);
      const wanted = c.req.valid('json');
      const after = await transaction(sql, async (tx) => {
        await lockAccount(tx, principal.accountId);
        const overrides = await ruleSwitchOverrides(tx, principal.accountId);
        const before = switchesFrom(overrides);
        const next = switchesFrom({ ...overrides, ...wanted });
        const changed = INDIA_RULES.filter((r) => before[r] !== next[r]);
        if (changed.length) {
          await writeRuleSwitches(tx, principal.accountId, next, `${principal.kind}:${actorOf(principal).id}`);
          await audit.append(tx, {
            type: 'CONFIG_CHANGED',
            actor: actorOf(principal),
            accountId: principal.accountId,
            ...requestFacts(c),
            payload: { setting: 'risk_rules', old: Object.fromEntries(changed.map((r) => [r, before[r]])), new: Object.fromEntries(changed.map((r) => [r, next[r]])) },
          });
        }
        return next;
      });
      return c.json(after, 200);
    });
}
