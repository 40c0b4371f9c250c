/**
 * Package boundaries (DESIGN.md §3, "may import" column).
 *
 * A pure part, which works on file contents only (`extractImportSpecifiers`, `checkBoundaries`), and a
 * small filesystem walker (`loadWorkspace`) that feeds it the repository's packages. The test
 * `ops/test/package-boundaries.unit.test.ts` runs both over the real repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------

/**
 * What each package may import among ours (`@pti/*`). An entry allows that specifier and anything
 * below it (`@pti/platform` allows `@pti/platform/testing`); `@pti/write-side/domain` allows the pure
 * domain entry only, never the package root. A package may always import itself by name.
 * `'all'` means every package of ours except `@pti/ops` itself, which nothing imports.
 */
export const BOUNDARY_RULES: Readonly<Record<string, readonly string[] | 'all'>> = {
  '@pti/events': [],
  '@pti/platform': ['@pti/events'],
  '@pti/write-side': ['@pti/events', '@pti/platform'],
  '@pti/projections': ['@pti/events', '@pti/platform', '@pti/write-side/domain'],
  '@pti/read-api': ['@pti/platform', '@pti/projections', '@pti/write-side/domain'],
  '@pti/sagas': ['@pti/events', '@pti/platform', '@pti/write-side'],
  '@pti/booking': ['@pti/api-client'],
  '@pti/backoffice': ['@pti/api-client'],
  '@pti/api-client': [],
  '@pti/ops': 'all',
};

export const OUR_SCOPE = '@pti/';
export const OPS_PACKAGE = '@pti/ops';

const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
] as const;

// ---------------------------------------------------------------------------------------------------
// Specifier extraction
// ---------------------------------------------------------------------------------------------------

export type ImportKind = 'import' | 'export' | 'side-effect' | 'dynamic' | 'require';

export interface ImportSpecifier {
  specifier: string;
  /** 1-based line of the specifier's opening quote. */
  line: number;
  kind: ImportKind;
}

const KEYWORDS_BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
  'instanceof',
]);
const PUNCTUATION_BEFORE_REGEX = '(,=:[!&|?{};+-*%<>~^';

/**
 * Returns a copy of `source` of the same length, newlines kept, where comments are blanked and the
 * contents of string, template and regular-expression literals are replaced by `_` (their delimiters
 * kept). Code inside `${...}` of a template stays as code. Import-like text inside a comment or a
 * string therefore never matches, and offsets in the mask are offsets in the source.
 */
export function maskSource(source: string): string {
  const out: string[] = [];
  const n = source.length;
  // Brace depth per open `${` (innermost last); when a `}` closes one, we are back in its template.
  const templateStack: number[] = [];
  let braceDepth = 0;
  let i = 0;

  const blank = (ch: string): string => (ch === '\n' || ch === '\r' ? ch : ' ');
  const lastSignificant = (): { char: string; word: string } => {
    let j = out.length - 1;
    while (j >= 0 && /\s/.test(out[j] ?? '')) j--;
    if (j < 0) return { char: '', word: '' };
    const char = out[j] ?? '';
    let word = '';
    while (j >= 0 && /[\w$]/.test(out[j] ?? '')) {
      word = (out[j] ?? '') + word;
      j--;
    }
    return { char, word };
  };

  /** Scans template characters from `i` (just after a backtick or a closing `}`) to its end or `${`. */
  const scanTemplate = (): void => {
    while (i < n) {
      const ch = source[i] ?? '';
      if (ch === '\\') {
        out.push('_');
        if (i + 1 < n) out.push(source[i + 1] === '\n' ? '\n' : '_');
        i += 2;
        continue;
      }
      if (ch === '`') {
        out.push('`');
        i++;
        return;
      }
      if (ch === '$' && source[i + 1] === '{') {
        out.push('$', '{');
        i += 2;
        templateStack.push(braceDepth);
        braceDepth++;
        return;
      }
      out.push(ch === '\n' || ch === '\r' ? ch : '_');
      i++;
    }
  };

  while (i < n) {
    const ch = source[i] ?? '';
    const next = source[i + 1] ?? '';

    if (ch === '/' && next === '/') {
      while (i < n && source[i] !== '\n') {
        out.push(' ');
        i++;
      }
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (; i < stop; i++) out.push(blank(source[i] ?? ''));
      continue;
    }
    if (ch === '"' || ch === "'") {
      out.push(ch);
      i++;
      while (i < n && source[i] !== ch && source[i] !== '\n') {
        if (source[i] === '\\' && i + 1 < n) {
          out.push('_');
          i++;
        }
        out.push(source[i] === '\n' ? '\n' : '_');
        i++;
      }
      if (i < n) {
        out.push(source[i] ?? '');
        i++;
      }
      continue;
    }
    if (ch === '`') {
      out.push('`');
      i++;
      scanTemplate();
      continue;
    }
    if (ch === '{') {
      braceDepth++;
      out.push(ch);
      i++;
      continue;
    }
    if (ch === '}') {
      braceDepth--;
      out.push(ch);
      i++;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        scanTemplate();
      }
      continue;
    }
    if (ch === '/') {
      const { char, word } = lastSignificant();
      const regexAllowed =
        char === '' ||
        PUNCTUATION_BEFORE_REGEX.includes(char) ||
        (word !== '' && KEYWORDS_BEFORE_REGEX.has(word));
      if (regexAllowed) {
        out.push('/');
        i++;
        let inClass = false;
        while (i < n && source[i] !== '\n') {
          const c = source[i];
          if (c === '\\' && i + 1 < n) {
            out.push('_', '_');
            i += 2;
            continue;
          }
          if (c === '[') inClass = true;
          else if (c === ']') inClass = false;
          else if (c === '/' && !inClass) break;
          out.push('_');
          i++;
        }
        if (i < n && source[i] === '/') {
          out.push('/');
          i++;
        }
        continue;
      }
    }
    out.push(ch);
    i++;
  }
  return out.join('');
}

// The specifier is always captured as group 1 (its quote) and group 2 (its masked contents).
const PATTERNS: ReadonlyArray<{ kind: ImportKind; regex: RegExp }> = [
  // import x from '…', import { a, b } from '…', import type T from '…', import * as ns from '…'
  { kind: 'import', regex: /(?<![.\w$])import\s+(?!\()[^'"`;]*?\bfrom\s*(['"])(_*)\1/g },
  // export * from '…', export * as ns from '…', export { a } from '…', export type { T } from '…'
  {
    kind: 'export',
    regex: /(?<![.\w$])export\s+(?:type\s+)?(?:\*\s*(?:as\s+[\w$]+\s*)?|\{[^}'"`]*\}\s*)from\s*(['"])(_*)\1/g,
  },
  // import '…'
  { kind: 'side-effect', regex: /(?<![.\w$])import\s*(['"])(_*)\1/g },
  // import('…'), import(`…`) without substitutions
  { kind: 'dynamic', regex: /(?<![.\w$])import\s*\(\s*(['"`])(_*)\1/g },
  // require('…'), import x = require('…')
  { kind: 'require', regex: /(?<![.\w$])require\s*\(\s*(['"`])(_*)\1/g },
];

/** Every module specifier a TypeScript/JavaScript source imports, in source order. */
export function extractImportSpecifiers(source: string): ImportSpecifier[] {
  const masked = maskSource(source);
  const found: Array<ImportSpecifier & { offset: number }> = [];
  for (const { kind, regex } of PATTERNS) {
    regex.lastIndex = 0;
    for (let m = regex.exec(masked); m !== null; m = regex.exec(masked)) {
      const contents = m[2] ?? '';
      const start = m.index + m[0].length - 1 - contents.length;
      found.push({
        specifier: source.slice(start, start + contents.length),
        line: lineAt(source, start),
        kind,
        offset: start,
      });
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  return found.map(({ specifier, line, kind }) => ({ specifier, line, kind }));
}

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------------

export interface SourceFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  content: string;
}

export interface WorkspacePackage {
  name: string;
  /** Folder relative to the repository root, with `/` separators (`clients/booking`). */
  dir: string;
  /** The parsed package.json. */
  manifest: Record<string, unknown>;
  files: SourceFile[];
}

export interface Violation {
  /** `file:line` for a source file, `dir/package.json` for a manifest. */
  where: string;
  packageName: string;
  specifier: string;
  reason: string;
}

export function formatViolation(v: Violation): string {
  return `${v.where}: ${v.packageName} → '${v.specifier}': ${v.reason}`;
}

/** `@pti/write-side/domain` → `@pti/write-side`; `lodash/fp` → `lodash`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function allowedText(rule: readonly string[] | 'all'): string {
  if (rule === 'all') return `every package of ours but ${OPS_PACKAGE}`;
  return rule.length === 0 ? 'none of ours' : rule.join(', ');
}

function specifierAllowed(importer: string, specifier: string, rule: readonly string[] | 'all'): boolean {
  const target = packageNameOf(specifier);
  if (target === importer) return true;
  if (target === OPS_PACKAGE) return false;
  if (rule === 'all') return true;
  return rule.some((entry) => specifier === entry || specifier.startsWith(`${entry}/`));
}

function dependencyAllowed(importer: string, dependency: string, rule: readonly string[] | 'all'): boolean {
  if (dependency === importer) return true;
  if (dependency === OPS_PACKAGE) return false;
  if (rule === 'all') return true;
  return rule.some((entry) => packageNameOf(entry) === dependency);
}

function isPathSpecifier(specifier: string): boolean {
  return (
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier.startsWith('/')
  );
}

/** True when `specifier`, imported from `file`, resolves outside the package folder `dir`. */
function escapesPackage(file: string, specifier: string, dir: string): boolean {
  if (specifier.startsWith('/')) return true; // an absolute path is never a package's own module
  const resolved = path.posix.join(path.posix.dirname(file), specifier);
  const root = path.posix.normalize(dir);
  return !(resolved === root || resolved.startsWith(`${root}/`));
}

/**
 * Every boundary violation in `packages`, given `rules` (defaults to DESIGN.md §3's). Pure: works on
 * the contents handed to it, touches no filesystem.
 */
export function checkBoundaries(
  packages: readonly WorkspacePackage[],
  rules: Readonly<Record<string, readonly string[] | 'all'>> = BOUNDARY_RULES,
): Violation[] {
  const violations: Violation[] = [];
  for (const pkg of packages) {
    const rule = rules[pkg.name];
    const manifestPath = `${pkg.dir}/package.json`;
    if (rule === undefined) {
      violations.push({
        where: manifestPath,
        packageName: pkg.name,
        specifier: pkg.name,
        reason: 'this workspace package has no rule in the package-boundary table (DESIGN.md §3); add one',
      });
      continue;
    }

    for (const field of DEPENDENCY_FIELDS) {
      const deps = pkg.manifest[field];
      if (deps === null || typeof deps !== 'object') continue;
      for (const dependency of Object.keys(deps)) {
        if (!dependency.startsWith(OUR_SCOPE)) continue;
        if (dependencyAllowed(pkg.name, dependency, rule)) continue;
        violations.push({
          where: manifestPath,
          packageName: pkg.name,
          specifier: dependency,
          reason:
            dependency === OPS_PACKAGE
              ? `"${field}" declares ${OPS_PACKAGE}, which nothing may import`
              : `"${field}" declares a package it may not import (may import: ${allowedText(rule)})`,
        });
      }
    }

    for (const file of pkg.files) {
      for (const { specifier, line } of extractImportSpecifiers(file.content)) {
        const where = `${file.path}:${line}`;
        if (isPathSpecifier(specifier)) {
          if (escapesPackage(file.path, specifier, pkg.dir)) {
            violations.push({
              where,
              packageName: pkg.name,
              specifier,
              reason: `path import leaves the package folder ${pkg.dir}/; import the other package by name`,
            });
          }
          continue;
        }
        if (!specifier.startsWith(OUR_SCOPE)) continue;
        if (specifierAllowed(pkg.name, specifier, rule)) continue;
        const target = packageNameOf(specifier);
        let reason = `may not import it (may import: ${allowedText(rule)})`;
        if (target === OPS_PACKAGE) reason = `nothing may import ${OPS_PACKAGE}`;
        else if (rule !== 'all' && rule.some((entry) => packageNameOf(entry) === target)) {
          reason = `only ${rule.filter((e) => packageNameOf(e) === target).join(', ')} of ${target} is allowed, not '${specifier}'`;
        }
        violations.push({ where, packageName: pkg.name, specifier, reason });
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------------
// Filesystem walker
// ---------------------------------------------------------------------------------------------------

/** Folders of each package whose sources are checked. */
export const SOURCE_FOLDERS = ['src', 'test', 'bench'] as const;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.turbo', 'coverage']);
const SOURCE_FILE = /\.(?:[cm]?ts|tsx)$/;

/** Expands the root package.json's `workspaces` (plain folders and `folder/*`) to package folders. */
export function workspaceDirs(rootDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as {
    workspaces?: string[] | { packages?: string[] };
  };
  const patterns = Array.isArray(manifest.workspaces)
    ? manifest.workspaces
    : (manifest.workspaces?.packages ?? []);
  const dirs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      const abs = path.join(rootDir, parent);
      if (!existsSync(abs)) continue;
      for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (entry.isDirectory() && existsSync(path.join(abs, entry.name, 'package.json'))) {
          dirs.push(`${parent}/${entry.name}`);
        }
      }
    } else if (pattern.includes('*')) {
      throw new Error(`workspace pattern '${pattern}' is not supported by the boundary checker`);
    } else if (existsSync(path.join(rootDir, pattern, 'package.json'))) {
      dirs.push(pattern.replace(/\/$/, ''));
    }
  }
  return dirs;
}

function collectFiles(rootDir: string, relDir: string, into: SourceFile[]): void {
  const abs = path.join(rootDir, relDir);
  for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const rel = `${relDir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) collectFiles(rootDir, rel, into);
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      into.push({ path: rel, content: readFileSync(path.join(rootDir, rel), 'utf8') });
    }
  }
}

/** Reads every workspace package's manifest and its `src/`, `test/`, `bench/` TypeScript sources. */
export function loadWorkspace(rootDir: string): WorkspacePackage[] {
  return workspaceDirs(rootDir).map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(rootDir, dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const files: SourceFile[] = [];
    for (const folder of SOURCE_FOLDERS) {
      const abs = path.join(rootDir, dir, folder);
      if (existsSync(abs) && statSync(abs).isDirectory()) collectFiles(rootDir, `${dir}/${folder}`, files);
    }
    const name = typeof manifest.name === 'string' ? manifest.name : dir;
    return { name, dir, manifest, files };
  });
}
