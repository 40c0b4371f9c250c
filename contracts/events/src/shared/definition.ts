import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';

/** One event type: its payload schema (with `$id` = the type name) and its current schema version. */
export interface EventDefinition<S extends TObject = TObject> {
  readonly schema: S;
  /** Current version of the payload shape; older stored versions are upcast (see `upcasting.ts`). */
  readonly schemaVersion: number;
}

export type EventDefinitions = Readonly<Record<string, EventDefinition>>;

/** The discriminated union `{ type, data }` of a set of event definitions. */
export type EventUnion<Defs extends EventDefinitions> = {
  [K in keyof Defs & string]: { readonly type: K; readonly data: Static<Defs[K]['schema']> };
}[keyof Defs & string];

/**
 * Declares an event payload schema: a closed object (`additionalProperties: false`) whose `$id` is
 * the event type name.
 */
export function eventSchema<const Name extends string, P extends TProperties>(
  name: Name,
  description: string,
  properties: P,
): TObject<P> {
  return Type.Object(properties, { $id: name, title: name, description, additionalProperties: false });
}
