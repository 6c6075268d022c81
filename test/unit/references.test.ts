/**
 * Every repository path a comment, string or doc names must exist, so a reader can follow it.
 *
 * What counts as a reference (kept simple on purpose):
 * - a word starting with one of the top-level folders of REFERENCE_ROOTS and a slash, then path
 *   characters, ending in a known extension (.ts, .md, .sql, .json, .yml, .mjs…) or in a slash
 *   (a folder); an anchor after a `.md` path (`#rate-limits`) must name one of its headings;
 * - any path under `research`, the notes outside the repository: it never resolves;
 * - in markdown files, the target of a relative link `[text](target)`.
 *
 * Not references: a match glued to a preceding word character, slash, dot, `}` or `$` (URLs,
 * relative imports, paths inside node_modules, template strings building a path), and a match
 * followed by a glob or placeholder character (`*`, `{`, `<`, `$`).
 *
 * This file itself is not scanned: its examples and FROZEN name broken paths on purpose.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const SELF = path.relative(REPO, import.meta.filename).split(path.sep).join('/');

/** Folders and files scanned, relative to the repository root; missing ones are skipped. */
const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts', 'tools', 'docs'];
const SCANNED_EXTENSIONS = /\.(ts|mjs|js|sql|md)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'results', 'histories']);

const REFERENCE_ROOTS = ['src', 'test', 'docs', 'scripts', 'bench', 'tools', 'deploy', 'research'];
const REFERENCE = new RegExp(`(?<![\\w./}$@-])((?:${REFERENCE_ROOTS.join('|')})/[\\w.@/-]*)(#[\\w-]+)?`, 'g');
const FILE_EXTENSION = /\.(ts|mjs|js|sql|md|json|ya?ml|txt|html|css|csv)$/;
const PLACEHOLDER_AFTER = /^[*{<$]/;
const MARKDOWN_LINK = /\[[^\]]*\]\(([^)\s]+)\)/g;

/** Outputs the code writes (git-ignored): named in docs, absent from a fresh checkout. */
const GENERATED = ['bench/results/'];

/**
 * Applied migrations are checksummed (src/db/migrate.ts) and never edited, so their stale
 * references stay; each maps to where the reader finds the thing now, which must resolve.
 */
const FROZEN: Record<string, Record<string, string>> = {
  'src/db/migrations/0070_lockout_per_source.sql': { 'src/security/lockout.ts': 'src/domain/lockout.ts' },
};

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(path.join(REPO, dir))) return out;
  for (const entry of readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(rel, out);
    } else if (SCANNED_EXTENSIONS.test(entry.name)) {
      out.push(rel);
    }
  }
  return out;
}

function scannedFiles(): string[] {
  const rootFiles = readdirSync(REPO).filter((name) => name.endsWith('.ts') || name === 'README.md');
  return [...rootFiles, ...SCANNED_DIRS.flatMap((dir) => walk(dir, []))].filter((file) => file !== SELF);
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

/** Why `target` (repository-relative, optionally with `#anchor`) does not resolve, or null. */
function problemWith(target: string): string | null {
  const [file = '', anchor] = target.split('#');
  if (file.startsWith('research/')) return 'outside the repository (cite the docs/ page instead)';
  if (GENERATED.some((prefix) => file.startsWith(prefix))) return null;
  const absolute = path.join(REPO, file);
  if (!existsSync(absolute)) return 'no such file or folder';
  if (anchor && file.endsWith('.md') && statSync(absolute).isFile() && !anchorsOf(readFileSync(absolute, 'utf8')).has(anchor)) {
    return `no heading for #${anchor}`;
  }
  return null;
}

interface Reference {
  at: string;
  target: string;
  raw: string;
}

function referencesIn(file: string): Reference[] {
  const found: Reference[] = [];
  const lines = readFileSync(path.join(REPO, file), 'utf8').split('\n');
  lines.forEach((line, index) => {
    const at = `${file}:${index + 1}`;
    for (const match of line.matchAll(REFERENCE)) {
      const after = line.slice(match.index + match[0].length);
      if (PLACEHOLDER_AFTER.test(after)) continue;
      const pathPart = match[1]!.replace(/\.+$/, ''); // a sentence's full stop
      const isFolder = pathPart.endsWith('/');
      if (!pathPart.startsWith('research/') && !isFolder && !FILE_EXTENSION.test(pathPart)) continue;
      found.push({ at, target: pathPart + (match[2] ?? ''), raw: pathPart });
    }
    if (!file.endsWith('.md')) return;
    for (const match of line.matchAll(MARKDOWN_LINK)) {
      const link = match[1]!;
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [linkPath = '', anchor] = link.split('#');
      const resolved = linkPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), linkPath));
      found.push({ at, target: anchor === undefined ? resolved : `${resolved}#${anchor}`, raw: resolved });
    }
  });
  return found;
}

describe('references to repository paths', () => {
  const files = scannedFiles();

  it('scans the code and the docs', () => {
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
    expect(files.some((f) => f.startsWith('docs/'))).toBe(true);
  });

  it('every path named in a comment, string or doc, and every relative markdown link, resolves', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const ref of referencesIn(file)) {
        if (FROZEN[file]?.[ref.raw] !== undefined) continue;
        const problem = problemWith(ref.target);
        if (problem) broken.push(`${ref.at}: ${ref.target} (${problem})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the stale references of applied migrations are still there, and their replacements resolve', () => {
    const problems: string[] = [];
    for (const [file, refs] of Object.entries(FROZEN)) {
      const found = new Set(referencesIn(file).map((ref) => ref.raw));
      for (const [stale, now] of Object.entries(refs)) {
        if (!found.has(stale)) problems.push(`${file}: no longer names ${stale}; drop it from FROZEN`);
        const problem = problemWith(now);
        if (problem) problems.push(`${file}: ${stale} now ${now} (${problem})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('recognises references and leaves URLs, imports, globs and template strings alone', () => {
    const sample = (text: string): string[] => [...text.matchAll(REFERENCE)].filter((m) => !PLACEHOLDER_AFTER.test(text.slice(m.index + m[0].length))).map((m) => m[0]);
    expect(sample('see docs/breeze-api.md#rate-limits.')).toEqual(['docs/breeze-api.md#rate-limits']);
    expect(sample('https://github.com/x/y/blob/main/src/a.ts')).toEqual([]);
    expect(sample("import { a } from '../../src/a.ts'")).toEqual([]);
    expect(sample('node_modules/pkg/src/index.js')).toEqual([]);
    expect(sample('`${root}/src/a.ts` and src/api/routes/<resource>.ts and test/**/*.test.ts')).toEqual([]);
    // spelled in parts, so this fixture is not itself taken for a citation by a scan of the sources
    expect(problemWith(['research', 'notes.md'].join('/'))).toMatch(/outside the repository/);
    expect(problemWith('docs/breeze-api.md#no-such-heading')).toMatch(/no heading/);
    expect(anchorsOf('# A (b) `c/d.ts`\n## A (b) `c/d.ts`\n```\n# not a heading\n```')).toEqual(new Set(['a-b-cdts', 'a-b-cdts-1']));
  });
});
