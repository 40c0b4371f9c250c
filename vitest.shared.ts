import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** Every package's tests resolve workspace packages to their TypeScript sources. */
export function ptiProject(name: string, extra: UserWorkspaceConfig['test'] = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions: ['pti-source'] },
    ssr: { resolve: { conditions: ['pti-source'], externalConditions: ['pti-source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...extra,
    },
  });
}
