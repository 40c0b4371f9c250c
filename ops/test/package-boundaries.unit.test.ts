import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BOUNDARY_RULES,
  checkBoundaries,
  extractImportSpecifiers,
  formatViolation,
  loadWorkspace,
  maskSource,
  packageNameOf,
  type WorkspacePackage,
} from '../src/checks/package-boundaries.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const specifiers = (source: string): string[] => extractImportSpecifiers(source).map((s) => s.specifier);

/** One in-memory package with one source file. */
function pkg(
  name: string,
  dir: string,
  content: string,
  deps: Record<string, string> = {},
  file = `${dir}/src/index.ts`,
): WorkspacePackage {
  return { name, dir, manifest: { name, dependencies: deps }, files: [{ path: file, content }] };
}

const check = (...packages: WorkspacePackage[]): string[] => checkBoundaries(packages).map(formatViolation);

describe('the repository respects DESIGN.md §3 package boundaries', () => {
  const packages = loadWorkspace(repoRoot);

  it('finds every workspace package, each with a rule', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(Object.keys(BOUNDARY_RULES).sort());
  });

  it('reads real sources (the check is not vacuous)', () => {
    const files = packages.flatMap((p) => p.files);
    expect(files.length).toBeGreaterThan(5);
    expect(files.some((f) => f.path === 'ops/test/package-boundaries.unit.test.ts')).toBe(true);
    expect(files.every((f) => !f.path.includes('/node_modules/') && !f.path.includes('/dist/'))).toBe(true);
    const imports = files.flatMap((f) => extractImportSpecifiers(f.content));
    expect(imports.some((i) => i.specifier.startsWith('@pti/'))).toBe(true);
  });

  it('has no violation', () => {
    // On failure the diff lists each violation as "file:line: package → 'specifier': reason".
    expect(checkBoundaries(packages).map(formatViolation)).toEqual([]);
  });
});

describe('extractImportSpecifiers', () => {
  it('finds static imports of every shape, with their lines', () => {
    const source = [
      "import a from 'a';",
      'import { b1, b2 as bb } from "b";',
      "import * as c from 'c';",
      "import type { D } from 'd';",
      "import e, { type E } from 'e';",
      'import {',
      '  f1,',
      '  f2,',
      "} from '@pti/f/sub';",
      "import 'g-side-effect';",
      "import h = require('h');",
    ].join('\n');
    expect(extractImportSpecifiers(source)).toEqual([
      { specifier: 'a', line: 1, kind: 'import' },
      { specifier: 'b', line: 2, kind: 'import' },
      { specifier: 'c', line: 3, kind: 'import' },
      { specifier: 'd', line: 4, kind: 'import' },
      { specifier: 'e', line: 5, kind: 'import' },
      { specifier: '@pti/f/sub', line: 9, kind: 'import' },
      { specifier: 'g-side-effect', line: 10, kind: 'side-effect' },
      { specifier: 'h', line: 11, kind: 'require' },
    ]);
  });

  it('finds re-exports', () => {
    const source = [
      "export * from './a.js';",
      "export * as b from './b.js';",
      "export { c, d as dd } from '@pti/c';",
      "export type { E } from '@pti/e';",
      'export {',
      '  f,',
      "} from '../f.js';",
      'export const notAnImport = 1;',
      'export { notAnImport as alias };',
    ].join('\n');
    expect(extractImportSpecifiers(source)).toEqual([
      { specifier: './a.js', line: 1, kind: 'export' },
      { specifier: './b.js', line: 2, kind: 'export' },
      { specifier: '@pti/c', line: 3, kind: 'export' },
      { specifier: '@pti/e', line: 4, kind: 'export' },
      { specifier: '../f.js', line: 7, kind: 'export' },
    ]);
  });

  it('finds dynamic imports with a literal specifier', () => {
    const source = [
      "const a = await import('@pti/a');",
      'const b = await import(`@pti/b`);',
      'const c = () => import(  "c"  );',
      'const notLiteral = await import(name);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text under test
      'const templated = await import(`./${name}.js`);',
      'const meta = import.meta.url;',
    ].join('\n');
    expect(extractImportSpecifiers(source)).toEqual([
      { specifier: '@pti/a', line: 1, kind: 'dynamic' },
      { specifier: '@pti/b', line: 2, kind: 'dynamic' },
      { specifier: 'c', line: 3, kind: 'dynamic' },
    ]);
  });

  it('ignores import-like text in comments, strings, templates and regular expressions', () => {
    const source = [
      "// import a from '@pti/in-line-comment';",
      "/* import b from '@pti/in-block-comment';",
      "   export * from '@pti/still-in-block'; */",
      'const s = "import c from \'@pti/in-string\'";',
      "const t = `import d from '@pti/in-template'`;",
      "const r = /import e from '@pti\\/in-regex'/;",
      "const u = 'it\\'s import(\"@pti/escaped\")';",
      "const url = 'http://example.com'; import real from '@pti/real';",
      "obj.import('@pti/a-method'); reimport('@pti/other-function');",
    ].join('\n');
    expect(extractImportSpecifiers(source)).toEqual([{ specifier: '@pti/real', line: 8, kind: 'import' }]);
  });

  it('treats code inside a template substitution as code', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text under test
    const source = "const t = `a ${await import('@pti/inside')} b ${ { x: 1 }.x } c`;\nimport z from 'z';";
    expect(specifiers(source)).toEqual(['@pti/inside', 'z']);
  });

  it('tells division from a regular expression', () => {
    const source = "const half = total / 2; const r = x.replace(/'/g, ''); import y from 'y';";
    expect(specifiers(source)).toEqual(['y']);
    const divisions = "const q = (a) / b / c; const w = arr[0] / 2;\nimport z from 'z';";
    expect(specifiers(divisions)).toEqual(['z']);
  });

  it('masks without moving offsets or lines', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text under test
    const source = "a /* x\ny */ 'str' `t${1}` // c\nb";
    const masked = maskSource(source);
    expect(masked.length).toBe(source.length);
    expect(masked.split('\n').length).toBe(source.split('\n').length);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text under test
    expect(masked).toBe("a     \n     '___' `_${1}`     \nb");
  });
});

describe('checkBoundaries', () => {
  it('accepts what DESIGN.md §3 allows', () => {
    expect(
      check(
        pkg('@pti/events', 'contracts/events', "import { Type } from '@sinclair/typebox';\nimport './x.js';"),
        pkg('@pti/platform', 'platform', "import type { E } from '@pti/events';", { '@pti/events': '*' }),
        pkg('@pti/write-side', 'write-side', "import '@pti/events';\nimport '@pti/platform';", {
          '@pti/events': '*',
          '@pti/platform': '*',
        }),
        pkg('@pti/projections', 'projections', "import { decide } from '@pti/write-side/domain';", {
          '@pti/write-side': '*',
        }),
        pkg(
          '@pti/read-api',
          'read-api',
          "import '@pti/platform';\nimport type { Row } from '@pti/projections';\nimport '@pti/write-side/domain';",
          { '@pti/write-side': '*', '@pti/projections': '*' },
        ),
        pkg('@pti/sagas', 'sagas', "import { handle } from '@pti/write-side';"),
        pkg('@pti/booking', 'clients/booking', "import { api } from '@pti/api-client';"),
        pkg('@pti/ops', 'ops', "import '@pti/sagas';\nimport '@pti/read-api';\nimport '@pti/ops';"),
        pkg('@pti/platform', 'platform', "import '@pti/platform';", {}, 'platform/test/self.test.ts'),
      ),
    ).toEqual([]);
  });

  it('reports a forbidden import with file, line and specifier', () => {
    const violations = checkBoundaries([
      pkg(
        '@pti/platform',
        'platform',
        "import type { E } from '@pti/events';\nimport { x } from '@pti/write-side';",
      ),
    ]);
    expect(violations).toEqual([
      {
        where: 'platform/src/index.ts:2',
        packageName: '@pti/platform',
        specifier: '@pti/write-side',
        reason: 'may not import it (may import: @pti/events)',
      },
    ]);
    expect(formatViolation(violations[0]!)).toBe(
      "platform/src/index.ts:2: @pti/platform → '@pti/write-side': may not import it (may import: @pti/events)",
    );
  });

  it('lets events import nothing of ours', () => {
    expect(check(pkg('@pti/events', 'contracts/events', "export * from '@pti/platform';"))).toEqual([
      "contracts/events/src/index.ts:1: @pti/events → '@pti/platform': may not import it (may import: none of ours)",
    ]);
  });

  it('keeps projections and read-api to the pure domain entry of write-side', () => {
    expect(
      check(
        pkg('@pti/projections', 'projections', "import { handlers } from '@pti/write-side';"),
        pkg('@pti/read-api', 'read-api', "const m = await import('@pti/write-side/handlers');"),
      ),
    ).toEqual([
      "projections/src/index.ts:1: @pti/projections → '@pti/write-side': only @pti/write-side/domain of @pti/write-side is allowed, not '@pti/write-side'",
      "read-api/src/index.ts:1: @pti/read-api → '@pti/write-side/handlers': only @pti/write-side/domain of @pti/write-side is allowed, not '@pti/write-side/handlers'",
    ]);
  });

  it('keeps read-api off the events contract and the sagas', () => {
    expect(
      check(pkg('@pti/read-api', 'read-api', "import '@pti/events';\nimport '@pti/sagas';")),
    ).toHaveLength(2);
  });

  it('lets clients talk HTTP only (the api client, nothing else of ours)', () => {
    expect(
      check(
        pkg(
          '@pti/booking',
          'clients/booking',
          "import { api } from '@pti/api-client';\nimport '@pti/platform';",
        ),
        pkg(
          '@pti/backoffice',
          'clients/backoffice',
          "import type { Booking } from '@pti/write-side/domain';",
        ),
        pkg('@pti/api-client', 'clients/api-client', "import type { Row } from '@pti/read-api';"),
      ),
    ).toEqual([
      "clients/booking/src/index.ts:2: @pti/booking → '@pti/platform': may not import it (may import: @pti/api-client)",
      "clients/backoffice/src/index.ts:1: @pti/backoffice → '@pti/write-side/domain': may not import it (may import: @pti/api-client)",
      "clients/api-client/src/index.ts:1: @pti/api-client → '@pti/read-api': may not import it (may import: none of ours)",
    ]);
  });

  it('lets nothing import ops', () => {
    expect(check(pkg('@pti/sagas', 'sagas', "import { cli } from '@pti/ops/cli';"))).toEqual([
      "sagas/src/index.ts:1: @pti/sagas → '@pti/ops/cli': nothing may import @pti/ops",
    ]);
  });

  it('reports a relative import that leaves its package folder', () => {
    expect(
      check(
        pkg(
          '@pti/write-side',
          'write-side',
          [
            "import { ok } from './domain/ok.js';",
            "import { alsoOk } from '../../test/fixtures.js';",
            "import { pool } from '../../../platform/src/database/index.js';",
            "import { abs } from '/work/main/platform/src/index.js';",
          ].join('\n'),
          {},
          'write-side/src/handlers/index.ts',
        ),
        pkg(
          '@pti/booking',
          'clients/booking',
          "import '../../backoffice/src/x.js';",
          {},
          'clients/booking/src/a.ts',
        ),
        pkg('@pti/ops', 'ops', "import '../../vitest.shared.js';", {}, 'ops/test/a.test.ts'),
      ),
    ).toEqual([
      "write-side/src/handlers/index.ts:3: @pti/write-side → '../../../platform/src/database/index.js': path import leaves the package folder write-side/; import the other package by name",
      "write-side/src/handlers/index.ts:4: @pti/write-side → '/work/main/platform/src/index.js': path import leaves the package folder write-side/; import the other package by name",
      "clients/booking/src/a.ts:1: @pti/booking → '../../backoffice/src/x.js': path import leaves the package folder clients/booking/; import the other package by name",
      "ops/test/a.test.ts:1: @pti/ops → '../../vitest.shared.js': path import leaves the package folder ops/; import the other package by name",
    ]);
  });

  it('reports a forbidden @pti dependency in package.json', () => {
    const manifest = {
      name: '@pti/platform',
      dependencies: { '@pti/events': '*', '@pti/write-side': '*', pg: '^8' },
      devDependencies: { '@pti/ops': '*' },
      peerDependencies: { '@pti/sagas': '*' },
    };
    expect(
      check(
        { name: '@pti/platform', dir: 'platform', manifest, files: [] },
        pkg('@pti/projections', 'projections', '', { '@pti/write-side': '*', '@pti/read-api': '*' }),
      ),
    ).toEqual([
      `platform/package.json: @pti/platform → '@pti/write-side': "dependencies" declares a package it may not import (may import: @pti/events)`,
      `platform/package.json: @pti/platform → '@pti/ops': "devDependencies" declares @pti/ops, which nothing may import`,
      `platform/package.json: @pti/platform → '@pti/sagas': "peerDependencies" declares a package it may not import (may import: @pti/events)`,
      `projections/package.json: @pti/projections → '@pti/read-api': "dependencies" declares a package it may not import (may import: @pti/events, @pti/platform, @pti/write-side/domain)`,
    ]);
  });

  it('reports a workspace package that has no rule', () => {
    expect(check(pkg('@pti/newcomer', 'newcomer', "import '@pti/events';"))).toEqual([
      "newcomer/package.json: @pti/newcomer → '@pti/newcomer': this workspace package has no rule in the package-boundary table (DESIGN.md §3); add one",
    ]);
  });

  it('names the package of a specifier', () => {
    expect(packageNameOf('@pti/write-side/domain')).toBe('@pti/write-side');
    expect(packageNameOf('@pti/events')).toBe('@pti/events');
    expect(packageNameOf('lodash/fp')).toBe('lodash');
  });
});

describe('loadWorkspace', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'pti-boundaries-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, content: string): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  };

  it('walks src/, test/, bench/ of every workspace, skipping node_modules, dist and other folders', () => {
    write('package.json', JSON.stringify({ workspaces: ['core', 'apps/*'] }));
    write('core/package.json', JSON.stringify({ name: '@pti/events' }));
    write('core/src/a.ts', "import '@pti/platform';");
    write('core/src/deep/b.tsx', 'export {};');
    write('core/src/types.d.ts', "import '@pti/ignored-declaration';");
    write('core/src/notes.md', "import '@pti/not-code';");
    write('core/src/node_modules/x/index.ts', "import '@pti/ignored';");
    write('core/dist/index.ts', "import '@pti/ignored';");
    write('core/test/a.test.ts', 'export {};');
    write('core/bench/a.bench.ts', 'export {};');
    write('core/scripts/ignored.ts', "import '@pti/ignored';");
    write('apps/web/package.json', JSON.stringify({ name: '@pti/booking' }));
    write('apps/web/src/main.ts', 'export {};');
    write('apps/not-a-package/readme.txt', '');

    const packages = loadWorkspace(root);
    expect(packages.map((p) => [p.name, p.dir, p.files.map((f) => f.path)])).toEqual([
      [
        '@pti/events',
        'core',
        ['core/src/a.ts', 'core/src/deep/b.tsx', 'core/test/a.test.ts', 'core/bench/a.bench.ts'],
      ],
      ['@pti/booking', 'apps/web', ['apps/web/src/main.ts']],
    ]);
    expect(checkBoundaries(packages).map(formatViolation)).toEqual([
      "core/src/a.ts:1: @pti/events → '@pti/platform': may not import it (may import: none of ours)",
    ]);
  });
});
