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

// ---------------------------------------------------------------------------------------------
// Data subject
// ---------------------------------------------------------------------------------------------

/**
 * The data subject of an event: the person (a customer, a fleet company's contact, an inspector)
 * whose personal fields the event holds. The id field naming that person carries the custom
 * keyword `subject: true`; the personal fields of the event are encrypted with that subject's key.
 * Validators ignore the keyword. At most one field of a payload is marked, at a path made of
 * property names only (no arrays or records).
 */
export const SUBJECT_KEYWORD = 'subject';

/** Returns a copy of `schema` (a string id) marked `subject: true`. */
export function subject<T extends TSchema>(schema: T): T {
  return CloneType(schema, { [SUBJECT_KEYWORD]: true });
}

export function isSubject(schema: TSchema): boolean {
  return schema[SUBJECT_KEYWORD] === true;
}

function walkSubject(schema: TSchema, path: string, found: string[]): void {
  if (isSubject(schema)) {
    if (!found.includes(path)) found.push(path);
    return;
  }
  const properties = asSchema(schema.properties);
  if (properties) {
    for (const [key, child] of Object.entries(properties)) {
      const childSchema = asSchema(child);
      if (childSchema) walkSubject(childSchema, `${path}.${key}`, found);
    }
  }
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const variant of asSchemaList(schema[keyword])) walkSubject(variant, path, found);
  }
}

/**
 * The JSONPath (`$.customerId`) of the field marked `subject: true`, or `undefined` when the
 * schema marks none. Throws when it marks several different paths: an event has one data subject.
 */
export function subjectPathOfSchema(schema: TSchema): string | undefined {
  const found: string[] = [];
  walkSubject(schema, '$', found);
  if (found.length > 1)
    throw new Error(`schema ${String(schema.$id)} marks several subjects: ${found.join(', ')}`);
  return found[0];
}
