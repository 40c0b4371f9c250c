import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * The validator of the command routes: TypeBox's compiler, which checks exactly the schema and
 * changes nothing. Unlike Fastify's default Ajv set-up it never removes unknown fields (a typo in a
 * field name must fail, not silently drop the value) and never coerces types (`"45"` is not 45).
 * Every failing path is reported (`VALIDATION_FAILED` lists them). A command without fields may be
 * sent without a body: an absent body is read as `{}`.
 */
const MAX_REPORTED_ISSUES = 20;

export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(
    readonly validation: readonly { readonly path: string; readonly message: string }[],
    readonly part: string,
  ) {
    super(`the ${part} does not match its schema`);
  }
}

export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check: TypeCheck<TSchema> = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    // Fastify hands an absent body over as null.
    const value = (data === undefined || data === null) && httpPart === 'body' ? {} : data;
    if (check.Check(value)) return { value };
    const issues: { path: string; message: string }[] = [];
    for (const issue of check.Errors(value)) {
      if (issues.length >= MAX_REPORTED_ISSUES) break;
      // One line per path: TypeBox reports a union failure once per variant.
      if (issues.some((known) => known.path === issue.path)) continue;
      issues.push({ path: issue.path === '' ? '/' : issue.path, message: issue.message });
    }
    return { error: new RequestValidationError(issues, httpPart ?? 'request') };
  };
};
