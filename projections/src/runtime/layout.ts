import { assertIdentifier } from './sql.js';

/**
 * Where the projection runtime keeps things. The default layout (namespace `''`) is:
 *
 * | what                         | name                                   |
 * | ---------------------------- | -------------------------------------- |
 * | registry + checkpoints       | schema `projections`                   |
 * | table set of a generation    | schema `rm_<projector>_v<generation>`  |
 * | stable views (read side)     | schema `rm` (or the projector's `viewSchema`, e.g. `reporting`) |
 * | Redis keys of a generation   | `rm:<projector>:v<generation>:<key>`   |
 *
 * A namespace (tests, several deployments on one database) prefixes every schema and key:
 * `t1_projections`, `t1_rm_audit_v1`, `t1_rm`, `t1_rm:audit:v1:…`.
 */
export interface ProjectionLayout {
  readonly namespace: string;
  readonly registrySchema: string;
  viewSchema(viewSchema: string | undefined): string;
  tableSetSchema(projector: string, generation: number): string;
  keyPrefix(projector: string, generation: number): string;
}

export function projectionLayout(namespace = ''): ProjectionLayout {
  if (namespace !== '') assertIdentifier(namespace);
  const schema = (name: string) => assertIdentifier(`${namespace}${name}`);
  return {
    namespace,
    registrySchema: schema('projections'),
    viewSchema: (viewSchema) => schema(viewSchema ?? 'rm'),
    tableSetSchema: (projector, generation) => schema(`rm_${projector}_v${generation}`),
    keyPrefix: (projector, generation) => `${namespace}rm:${projector}:v${generation}:`,
  };
}

/** The role staff reads run under (`SET LOCAL ROLE`); created by the registry migration. */
export const READER_ROLE = 'pti_reader';
