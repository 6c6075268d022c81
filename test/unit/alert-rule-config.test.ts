import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, mergeRules, parseExpr, parseRulesDocument } from '../../src/observability/alerts/rule-config.ts';
import { builtinRules } from '../../src/domain/alerts/rules.ts';

const builtins = builtinRules({ minWorkers: 1 });

describe('alert rule expressions', () => {
  it('parses a metric with label matchers, a comparison, a threshold and a duration', () => {
    expect(parseExpr('breeze_open_positions{account="main", x="a\\"b"} >= 3 for 5m')).toEqual({ metric: 'breeze_open_positions', match: { account: 'main', x: 'a"b' }, op: '>=', threshold: 3, forSeconds: 300 });
    expect(parseExpr('breeze_exposure_rupees > 1.5e5')).toEqual({ metric: 'breeze_exposure_rupees', match: {}, op: '>', threshold: 150000 });
  });

  it('refuses anything that is not the small grammar (no code is evaluated)', () => {
    for (const bad of ['process.exit(1)', 'a > b', 'm{a=1} > 2', 'm > 1 for 5 minutes', 'm > 1; m < 2', 'm{a="x"} ~ 1']) {
      expect(() => parseExpr(bad)).toThrow(/cannot parse/);
    }
  });
});

describe('custom alert rules', () => {
  it('adds a rule, changes a built-in by id and disables another', () => {
    const inputs = parseRulesDocument(
      {
        rules: [
          { id: 'too_many_positions', expr: 'breeze_open_positions{account="main"} >= 3 for 2m', severity: 'warning', summary: 'Three positions open' },
          { id: 'cpu_high', threshold: 0.8, for: '10m' },
          { id: 'memory_high', disabled: true },
        ],
      },
      'test',
    );
    const rules = mergeRules(builtins, inputs);
    expect(rules.find((r) => r.id === 'too_many_positions')).toEqual({ id: 'too_many_positions', metric: 'breeze_open_positions', match: { account: 'main' }, op: '>=', threshold: 3, forSeconds: 120, severity: 'warning', summary: 'Three positions open' });
    expect(rules.find((r) => r.id === 'cpu_high')).toMatchObject({ metric: 'breeze_system_cpu_ratio', op: '>', threshold: 0.8, forSeconds: 600 });
    expect(rules.some((r) => r.id === 'memory_high')).toBe(false);
  });

  it('names the problem of an invalid document', () => {
    expect(() => parseRulesDocument([{ id: 'Bad Id', expr: 'x > 1' }], 'rules.json')).toThrow(/rules.json: 0.id/);
    expect(() => parseRulesDocument([{ id: 'x', exprr: 'x > 1' }], 'rules.json')).toThrow(/rules.json/);
    expect(() => mergeRules(builtins, parseRulesDocument([{ id: 'new_rule', metric: 'm' }], 'f'))).toThrow(/new_rule/);
  });

  it('reads ALERT_RULES_FILE, then ALERT_RULES on top', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-rules-'));
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify([{ id: 'exposure_high', expr: 'breeze_exposure_rupees > 100000' }]));
    const rules = await loadRules(builtins, { file, env: JSON.stringify([{ id: 'exposure_high', threshold: 200000 }]) });
    expect(rules.find((r) => r.id === 'exposure_high')).toMatchObject({ threshold: 200000, op: '>', metric: 'breeze_exposure_rupees' });
    expect(rules).toHaveLength(builtins.length + 1);
  });
});
