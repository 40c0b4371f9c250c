import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// No Docker engine runs here: the Dockerfile is checked by parsing it, and its entrypoint script by
// running it with a stand-in `node`.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dockerfileText = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignoreText = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  /** Heredoc bodies attached to the instruction (`COPY <<'EOF' /dest`). */
  heredocs: string[];
  line: number;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined, heredocs read. */
function parseDockerfile(text: string): { directives: string[]; instructions: Instruction[] } {
  const lines = text.split('\n');
  const directives: string[] = [];
  const instructions: Instruction[] = [];
  let i = 0;
  let leading = true;
  while (i < lines.length) {
    const raw = lines[i] ?? '';
    if (leading && /^#\s*\w+=/.test(raw)) {
      directives.push(raw.replace(/^#\s*/, ''));
      i++;
      continue;
    }
    leading = false;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    let joined = raw;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (next.trimStart().startsWith('#')) continue;
      joined = `${joined.slice(0, -1)} ${next.trim()}`;
    }
    i++;
    const [keyword = '', ...rest] = joined.trim().split(/\s+/);
    const args = rest.join(' ');
    const heredocs: string[] = [];
    for (const match of args.matchAll(/<<-?(['"]?)([A-Za-z_]+)\1/g)) {
      const terminator = match[2] ?? '';
      const body: string[] = [];
      while (i < lines.length && lines[i] !== terminator) body.push(lines[i++] ?? '');
      expect(lines[i], `heredoc ${terminator} of line ${start + 1} is closed`).toBe(terminator);
      i++;
      heredocs.push(body.join('\n'));
    }
    instructions.push({ keyword: keyword.toUpperCase(), args, heredocs, line: start + 1 });
  }
  return { directives, instructions };
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      expect(m, `FROM at line ${ins.line}`).not.toBeNull();
      stages.push({ from: m?.[1] ?? '', name: m?.[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

/** The workspaces of the root package.json, `clients/*` expanded. */
function workspaces(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return manifest.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const dir = pattern.slice(0, -2);
    return readdirSync(path.join(repoRoot, dir), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(repoRoot, dir, d.name, 'package.json')))
      .map((d) => `${dir}/${d.name}`);
  });
}

/** `.dockerignore` patterns as a predicate on a context-relative path (no `!` exceptions used). */
function dockerignored(patterns: string[]): (file: string) => boolean {
  const regexes = patterns.map((pattern) => {
    let body = '';
    const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
    for (let i = 0; i < p.length; i++) {
      const c = p[i] as string;
      if (p.startsWith('**/', i)) {
        body += '(?:.*/)?';
        i += 2;
      } else if (p.startsWith('**', i)) {
        body += '.*';
        i += 1;
      } else if (c === '*') body += '[^/]*';
      else if (c === '?') body += '[^/]';
      else body += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    // A pattern matches the path itself or anything under it.
    return new RegExp(`^${body}(?:/.*)?$`);
  });
  return (file) => regexes.some((r) => r.test(file));
}

const { directives, instructions } = parseDockerfile(dockerfileText);
const stages = stagesOf(instructions);
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (s === undefined) throw new Error(`Dockerfile has no stage '${name}'`);
  return s;
};
const runtime = stages.at(-1) as Stage;
const ignorePatterns = dockerignoreText
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const isIgnored = dockerignored(ignorePatterns);

describe('Dockerfile', () => {
  it('declares the BuildKit syntax it uses (heredocs, cache mounts, COPY --chmod)', () => {
    expect(directives.some((d) => /^syntax=docker\/dockerfile:1(\.\d+)?$/.test(d))).toBe(true);
  });

  it('is multi-stage on node:20-bookworm-slim: base, deps, build, prod-deps, runtime (last)', () => {
    expect(stages.map((s) => s.name)).toEqual(['base', 'deps', 'build', 'prod-deps', 'runtime']);
    const arg = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toBe('NODE_IMAGE=node:20-bookworm-slim');
    const names = new Set(stages.map((s) => s.name));
    const nodeImage = `\${NODE_IMAGE}`; // the ARG, as FROM writes it
    for (const s of stages)
      expect(s.from === nodeImage || names.has(s.from), `${s.name} FROM ${s.from}`).toBe(true);
    expect(stage('base').from).toBe(nodeImage);
    expect(stage('deps').from).toBe('base');
    expect(stage('build').from).toBe('deps');
    expect(stage('prod-deps').from).toBe('base');
    expect(runtime.name).toBe('runtime');
    expect(runtime.from).toBe(nodeImage);
  });

  it('copies the manifest of every workspace before installing, and the lockfile', () => {
    const copies = stage('base')
      .instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    expect(copies).toContain('package.json package-lock.json .npmrc ./');
    for (const ws of workspaces()) expect(copies, ws).toContain(`${ws}/package.json ${ws}/`);
    expect(copies).toContain('ops/bin/pti.js ops/bin/');
  });

  it('installs with npm ci from the lockfile, falling back to npm install like .ci/run', () => {
    const deps = stage('deps')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(deps.join('\n')).toMatch(/npm ci\b/);
    expect(deps.join('\n')).toMatch(/Missing: \.\* from lock file/);
    expect(deps.join('\n')).toMatch(/npm install --no-audit --no-fund/);
    const prod = stage('prod-deps')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(prod.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(prod.join('\n')).toMatch(/npm install --omit=dev/);
  });

  it('builds every package with turbo in the build stage', () => {
    const build = stage('build').instructions;
    expect(build.some((i) => i.keyword === 'COPY' && i.args === '. .')).toBe(true);
    expect(build.some((i) => i.keyword === 'RUN' && /npx turbo run build/.test(i.args))).toBe(true);
  });

  it('ships production dependencies and compiled packages only in the runtime stage', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=prod-deps /app ./');
    for (const ws of workspaces()) expect(copies, ws).toContain(`--from=build /app/${ws}/dist ${ws}/dist`);
    // Nothing else from the build stage: no sources, no dev dependencies.
    for (const c of copies.filter((x) => x.startsWith('--from=build')))
      expect(c).toMatch(/\/dist \S+\/dist$/);
    expect(copies.some((c) => c.startsWith('--from=deps'))).toBe(false);
    expect(runtime.instructions.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b/);
  });

  it('runs the compiled CLI, whose workspace imports resolve to dist through the default export', () => {
    const buildConfig = JSON.parse(readFileSync(path.join(repoRoot, 'ops/tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(buildConfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: 'src' });
    expect(existsSync(path.join(repoRoot, 'ops/src/cli.ts'))).toBe(true);
    for (const ws of workspaces()) {
      const manifest = JSON.parse(readFileSync(path.join(repoRoot, ws, 'package.json'), 'utf8')) as {
        exports?: Record<string, { default?: string }>;
      };
      for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
        expect(target.default, `${ws} exports ${entry}`).toMatch(/^\.\/dist\//);
      }
    }
  });

  it('runs as a non-root user, in production mode, listening on all interfaces, port 3000', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]?.args).not.toMatch(/^(root|0)(:|$)/);
    // Nothing runs as root after the switch.
    const after = runtime.instructions.slice(runtime.instructions.indexOf(users[0] as Instruction) + 1);
    expect(after.filter((i) => i.keyword === 'RUN')).toEqual([]);
    const env = runtime.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bPORT=3000\b/);
    expect(env).toMatch(/\bPTI_ROLE=all\b/);
    expect(runtime.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual(['3000']);
  });

  it('checks /health with what the slim image has (node, no curl)', () => {
    const health = runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    const args = health[0]?.args ?? '';
    expect(args).toMatch(/CMD \["node", "-e", /);
    expect(args).toContain('/health');
    expect(args).not.toMatch(/\bcurl\b|\bwget\b/);
    const cmd = JSON.parse(args.slice(args.indexOf('CMD') + 3)) as string[];
    expect(cmd[0]).toBe('node');
  });

  it('starts `pti start` by default through the pti entrypoint', () => {
    const entrypoint = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD');
    expect(entrypoint.map((i) => JSON.parse(i.args))).toEqual([['pti']]);
    expect(cmd.map((i) => JSON.parse(i.args))).toEqual([['start']]);
    const script = runtime.instructions.find(
      (i) => i.keyword === 'COPY' && i.args.includes('/usr/local/bin/pti'),
    );
    expect(script?.args).toMatch(/--chmod=0?755/);
    expect(script?.heredocs[0]).toMatch(/exec node \/app\/ops\/dist\/cli\.js "\$@"/);
  });

  it('keeps the runtime data directory writable by the runtime user only', () => {
    const run = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(run.join('\n')).toMatch(/mkdir -p \/var\/lib\/pti && chown node:node \/var\/lib\/pti/);
    expect(runtime.instructions.some((i) => i.keyword === 'USER' && i.args === 'node')).toBe(true);
  });
});

describe('the image entrypoint (pti)', () => {
  const script = runtime.instructions.find(
    (i) => i.keyword === 'COPY' && i.args.includes('/usr/local/bin/pti'),
  )?.heredocs[0];
  const dir = mkdtempSync(path.join(tmpdir(), 'pti-entrypoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in `node` that prints the arguments it was given, one per line.
  writeFileSync(path.join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
  chmodSync(path.join(dir, 'node'), 0o755);
  writeFileSync(path.join(dir, 'pti'), script ?? '');

  function run(args: string[], role?: string) {
    const env: NodeJS.ProcessEnv = { PATH: `${dir}:/usr/bin:/bin` };
    if (role !== undefined) env.PTI_ROLE = role;
    const result = spawnSync('/bin/sh', [path.join(dir, 'pti'), ...args], { env, encoding: 'utf8' });
    return { status: result.status, argv: result.stdout.trim().split('\n').slice(1), stderr: result.stderr };
  }

  it('runs the embedded all-in-one for `start` with PTI_ROLE unset or all', () => {
    expect(run(['start'])).toMatchObject({ status: 0, argv: ['start'] });
    expect(run(['start'], 'all')).toMatchObject({ status: 0, argv: ['start'] });
    expect(run([])).toMatchObject({ status: 0, argv: ['start'] });
  });

  it.each(['write-side', 'read-api', 'projections', 'sagas'])(
    'maps PTI_ROLE=%s to `start <role>`',
    (role) => {
      expect(run(['start'], role)).toMatchObject({ status: 0, argv: ['start', role] });
    },
  );

  it('passes explicit command lines through untouched', () => {
    expect(run(['start', 'read-api'], 'sagas')).toMatchObject({ status: 0, argv: ['start', 'read-api'] });
    expect(run(['migrate'], 'sagas')).toMatchObject({ status: 0, argv: ['migrate'] });
    expect(run(['inspect', 'booking-1', '--json'])).toMatchObject({
      status: 0,
      argv: ['inspect', 'booking-1', '--json'],
    });
  });

  it('refuses an unknown role with a clear message', () => {
    const result = run(['start'], 'everything');
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(/PTI_ROLE must be one of all, write-side, read-api, projections, sagas/);
  });
});

describe('.dockerignore', () => {
  it.each([
    'node_modules',
    'platform/node_modules/pg/index.js',
    'ops/dist/cli.js',
    'dist',
    '.pti-data',
    'ops/.pti-data/pglite',
    '.git',
    '.turbo',
    'platform/.turbo',
    'coverage',
    '.env',
    'ops/deploy/docker-compose.yml',
    'ops/load/k6/booking.js',
  ])('excludes %s', (file) => {
    expect(isIgnored(file)).toBe(true);
  });

  it('keeps every file the build copies from the context', () => {
    const fromContext = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from') && i.heredocs.length === 0)
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .filter((src) => src !== '.' && !src.startsWith('--'));
    expect(fromContext.length).toBeGreaterThan(5);
    for (const src of fromContext) {
      expect(existsSync(path.join(repoRoot, src)), `${src} exists`).toBe(true);
      expect(isIgnored(src), `${src} is not ignored`).toBe(false);
    }
    for (const file of ['platform/src/index.ts', 'ops/src/cli.ts', 'tsconfig.base.json', 'turbo.json']) {
      expect(isIgnored(file), file).toBe(false);
    }
  });
});
