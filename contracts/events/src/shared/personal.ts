import { CloneType, type TSchema } from '@sinclair/typebox';

/**
 * Personal data marking.
 *
 * A schema node holding personal data (a person's name, e-mail, phone, address, a plate, free text)
 * carries the custom JSON Schema keyword `personal: true`. Validators ignore the keyword; the
 * crypto-shredding layer uses the paths found here to encrypt those values with a per-customer
 * key, and the integration relay to strip them.
 *
 * Paths use JSONPath: `$` is the event's `data`, `.name` a property, `[*]` every array item and
 * `.*` every value of a record. When a marked node is an object, the whole object is personal and
 * the walk does not descend into it.
 */

export const PERSONAL_KEYWORD = 'personal';

/** Returns a copy of `schema` marked `personal: true`. */
export function personal<T extends TSchema>(schema: T): T {
  return CloneType(schema, { [PERSONAL_KEYWORD]: true });
}

export function isPersonal(schema: TSchema): boolean {
  return schema[PERSONAL_KEYWORD] === true;
}

function asSchema(value: unknown): TSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as TSchema)
    : undefined;
}

function asSchemaList(value: unknown): TSchema[] {
  if (!Array.isArray(value)) return [];
  const list: TSchema[] = [];
  for (const item of value) {
    const schema = asSchema(item);
    if (schema) list.push(schema);
  }
  return list;
}

function walk(schema: TSchema, path: string, found: string[]): void {
  if (isPersonal(schema)) {
    if (!found.includes(path)) found.push(path);
    return;
  }
  const properties = asSchema(schema.properties);
  if (properties) {
    for (const [key, child] of Object.entries(properties)) {
      const childSchema = asSchema(child);
      if (childSchema) walk(childSchema, `${path}.${key}`, found);
    }
  }
  const patternProperties = asSchema(schema.patternProperties);
  if (patternProperties) {
    for (const child of Object.values(patternProperties)) {
      const childSchema = asSchema(child);
      if (childSchema) walk(childSchema, `${path}.*`, found);
    }
  }
  const additional = asSchema(schema.additionalProperties);
  if (additional) walk(additional, `${path}.*`, found);
  const items = schema.items;
  if (Array.isArray(items)) {
    for (const [index, item] of asSchemaList(items).entries()) walk(item, `${path}[${index}]`, found);
  } else {
    const itemSchema = asSchema(items);
    if (itemSchema) walk(itemSchema, `${path}[*]`, found);
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const variant of asSchemaList(schema[keyword])) walk(variant, path, found);
  }
}

/**
 * Lists the JSONPath of every personal field of a schema, in schema order, without duplicates.
 * The variants of a union contribute their fields at the same path (a private customer's `name`
 * and a company's `name` are both `$.customer.name`).
 */
export function personalPathsOfSchema(schema: TSchema): readonly string[] {
  const found: string[] = [];
  walk(schema, '$', found);
  return found;
}
