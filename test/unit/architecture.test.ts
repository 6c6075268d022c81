/**
 * The shape of the code base as the design draws it (issue 12): layers that only look down, an
 * import graph without cycles, and files small enough to read in one sitting. The layer rule itself
 * lives in eslint.config.js; these tests show that it catches a back-arrow, and check what a lint
 * rule cannot see (cycles, file sizes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRODUCT_FOLDERS = ['src', 'tools'];
const ALL_FOLDERS = [...PRODUCT_FOLDERS, 'test', 'bench', 'scripts'];
const MAX_LINES = 300;

function codeFiles(folder: string, extensions = /\.ts$/): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile() && extensions.test(e.name) && !e.parentPath.includes('node_modules')).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;

/** Each file's relative imports, resolved to repository paths. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    graph.set(file, [...text.matchAll(IMPORT)].map((m) => path.normalize(path.join(path.dirname(file), m[1]!))));
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string) => {
    if (onPath.includes(file)) {
      found.push([...onPath.slice(onPath.indexOf(file)), file]);
      return;
    }
    if (done.has(file) || !graph.has(file)) return;
    onPath.push(file);
    for (const next of graph.get(file)!) visit(next);
    onPath.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('architecture', () => {
  const files = PRODUCT_FOLDERS.flatMap((folder) => codeFiles(folder));

  it('has an import graph without cycles', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(cycles(importGraph(files)).map((c) => c.join(' -> '))).toEqual([]);
  });

  it(`keeps every code file (product, tests, benchmarks, scripts) under ${MAX_LINES} lines`, () => {
    const everyFile = ALL_FOLDERS.flatMap((folder) => codeFiles(folder, /\.(ts|mjs|js)$/));
    const long = everyFile
      .map((file) => ({ file, lines: readFileSync(path.join(ROOT, file), 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('fails lint on an import from a lower layer to a higher one, type imports included', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (filePath: string, code: string) => {
      const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
      return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
    };
    const db = await lint('src/db/pool.ts', "import type { Activities } from '../activities/index.ts';\nexport type A = Activities;\n");
    expect(db.join('\n')).toMatch(/db may not import .*activities/);
    const api = await lint('src/api/app.ts', "import { PaperExchange } from '../broker/paper/exchange.ts';\nexport const P = PaperExchange;\n");
    expect(api.join('\n')).toMatch(/api may not call broker/);
    const down = await lint('src/api/app.ts', "import type { Role } from '../domain/roles.ts';\nexport type R = Role;\n");
    expect(down).toEqual([]);
  });
});
