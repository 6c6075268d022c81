// typescript-eslint with type information: floating promises are errors (an unawaited activity or
// query is a bug), and workflow code may not import Node built-ins or activity implementations.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules.flatMap((m) => [m, `node:${m}`]).filter((m) => !['assert', 'node:assert'].includes(m)).map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['**/activities/**', '**/audit/events.ts'], message: 'Workflows import activity types only.', allowTypeImports: true },
            { group: ['**/db/*', '**/broker/*', '**/api/*', '**/audit/append.ts', 'postgres', 'hono', 'pino', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'Workflow code does no I/O.' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
