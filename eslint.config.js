// typescript-eslint with type information: floating promises are errors (an unawaited activity or
// query is a bug), and workflow code may not import Node built-ins or activity implementations.
//
// Layers (issue 12, ARCHITECTURE.md "Layout"): a file under src/ imports only from its own layer or
// the ones below it, type imports included, so the import graph has no back-arrow. Entries
// (src/worker, src/launcher, the root *.ts, scripts, tools, tests) may import any layer; nothing
// under src/ imports tests or tools. The API never calls the broker (it goes through Temporal); it
// may name the interfaces of the operator desks that src/api-process hands it (type imports only).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const LAYERS = ['domain', 'config', 'db', 'audit', 'broker', 'observability', 'security', 'backup', 'activities', 'workflows', 'temporal', 'api'];
const ENTRIES = ['worker', 'api-process', 'launcher'];
/** Extra edges a layer may not take although they point down. */
const FORBIDDEN_BELOW = { api: ['broker'] };

/** A relative specifier that reaches into one of `folders` (e.g. '../../db/pool.ts' for 'db'). */
const into = (folders) => `^(\\.{1,2}/)+(${folders.join('|')})(/|\\.ts$)`;

function layerPatterns(layer) {
  const above = [...LAYERS.slice(LAYERS.indexOf(layer) + 1), ...ENTRIES];
  return [
    { regex: into(above), message: `Layers only look down: ${layer} may not import ${above.join(', ')} (eslint.config.js).` },
    ...(FORBIDDEN_BELOW[layer]
      ? [{ regex: into(FORBIDDEN_BELOW[layer]), allowTypeImports: true, message: `${layer} may not call ${FORBIDDEN_BELOW[layer].join(', ')} (eslint.config.js): type imports only.` }]
      : []),
    { regex: '^(\\.{1,2}/)+(test|tools|bench|scripts)/', message: 'Product code does not import tests, tools, benchmarks or scripts.' },
  ];
}

const workflowPatterns = [
  { group: ['**/activities/**', '**/audit/events.ts'], message: 'Workflows import activity types only.', allowTypeImports: true },
  { group: ['**/db/*', '**/broker/*', '**/api/*', '**/audit/append.ts', 'postgres', 'hono', 'pino', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Workflow code does no I/O.' },
];
const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`]).filter((m) => !['assert', 'node:assert'].includes(m)).map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' }));

/** One block per layer folder; the workflows' block keeps its determinism rules beside the layer rule. */
const layerBlocks = LAYERS.map((layer) => ({
  files: layer === 'config' ? ['src/config/**/*.ts', 'src/config.ts'] : [`src/${layer}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      layer === 'workflows' ? { paths: nodeBuiltins, patterns: [...layerPatterns(layer), ...workflowPatterns] } : { patterns: layerPatterns(layer) },
    ],
  },
}));
const entryBlocks = ENTRIES.map((entry) => ({
  files: [`src/${entry}/**/*.ts`],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: layerPatterns('api').slice(-1) }] },
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.tools/', 'dist/', 'bench/results/', 'src/api/console/static/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use string unions and as-const objects, not enums.' }],
    },
  },
  ...layerBlocks,
  ...entryBlocks,
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
