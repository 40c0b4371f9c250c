import {
  isDomainEventType,
  isEntityId,
  personalFieldPaths,
  SINGLE_SUBJECT_STREAM_CATEGORIES,
  subjectPathOf,
} from '@pti/events';
import type {
  EventToAppend,
  Ledger,
  ReadAllPage,
  RecordedEvent,
  SubscriptionHandler,
} from '../ledger/ledger-port.js';
import { IntegrityError, open, seal, sealToBase64url } from './aes-gcm.js';
import type { SubjectActivity } from './key-store.js';
import { retentionKindOf } from './retention-policy.js';
import type { DataKey, Vault } from './vault.js';

/**
 * The personal-data codec: the fields an event contract marks `personal: true` are encrypted with
 * the data subject's key when the event is appended, and decrypted when it is read, so deciders and
 * projectors only ever see plain values while the ledger only ever stores ciphertext.
 *
 * **Ciphertext format v2** (written since the vault benchmark; one AES-256-GCM operation per
 * event) — every personal field of an event belongs to the one data subject of that event, so all
 * of them are sealed together as one envelope. Each personal field holding a value gets a string
 * in place of that value; the first of them in JSON Pointer order carries the envelope, the
 * others a short reference to it:
 *
 *     pii:v2:<subjectId>:<generation>:<base64url(iv[12] | AES-256-GCM ciphertext | tag[16])>   (the envelope)
 *     pii:v2:=                                                                                  (every other field)
 *
 * A reference `pii:v2:=` stands for the event's envelope: its subject and generation are the
 * envelope's. Events written before it hold the long form `pii:v2:<subjectId>:<generation>` in
 * their references, still read (and checked to name the envelope's key). The short form keeps
 * about 40 bytes per reference out of every stored event (a booking has 3–6 references), which
 * PostgreSQL parses on every append and every read.
 *
 * The plaintext is the JSON array of the fields' values (strings, or whole objects such as an
 * address), in the code-unit order of their JSON Pointers. The AAD is
 * `pii:v2:<subjectId>:<generation>\n<JSON array of the same sorted pointers>\n<event id>`. So the
 * envelope opens only in its event, for its subject and key generation, and only if exactly the
 * fields that held a value still hold a reference: a reference removed, added to another field
 * (or to another event), an envelope copied elsewhere or altered, all fail the GCM tag. Which of
 * the fields carries the envelope is not bound (readers accept it in any of them), and references
 * are all alike: values are placed by pointer, so swapping them changes nothing read. The payload
 * keeps exactly the event's properties (contracts are `additionalProperties: false`): only personal
 * values are replaced, by strings, as in v1.
 *
 * **Format v1** (events already in ledgers; still read, no longer written) — one ciphertext per field:
 *
 *     pii:v1:<subjectId>:<generation>:<base64url(iv[12] | AES-256-GCM ciphertext | tag[16])>
 *
 * with the JSON of the field's value as plaintext and `pii:v1:<subjectId>:<generation>\n<event
 * id>\n<JSON Pointer of the field>` as AAD. It cost one AES-GCM operation per field (4–6 per booking
 * event, each ~11 µs of OpenSSL setup), which v2 brings to one per event.
 *
 * **Reading** walks every string of the payload: whatever has the ciphertext shape is decrypted,
 * wherever it sits (the marks of the current schema are not needed, so an event written under an
 * older schema version still decodes before it is upcast), v1 field by field, v2 as one envelope
 * per event. A value whose key is gone decodes to {@link ERASED} — every field of a v2 envelope
 * — never an error, so replays keep working after an erasure. A tampered or moved ciphertext, a
 * v2 event whose fields name different keys, hold no envelope or several, or a key that does not
 * match, raises {@link IntegrityError}: nothing is ever decoded silently.
 *
 * **The subject** of an event is the value at its contract's subject path (`$.customerId`), or
 * else, for a stream of a single-subject category (`booking-…`), the subject that stream is linked
 * to. An event with personal values and no subject is refused ({@link PersonalDataError}).
 *
 * **Appending** is on every writer's path, so it reads the payload only where the contract marks
 * personal fields (paths compiled once per event type; each set of present fields' AAD pointer
 * list built once), copies only the objects on the way to them (never the whole payload, unless a
 * path has wildcards), and with the subject's key cached and the day's activity recorded it runs
 * synchronously: no promise, no SQL. A single event in that steady state takes a path of its own
 * (no plan, activity list, key map or Date per append). What
 * remains per event is the one AES-GCM seal (`node:crypto` creates and keys a cipher context per
 * call: most of the codec's CPU) and a few small copies. A subject whose key is not cached has its
 * activity recorded by the key claim itself (one statement for a new subject, and the claims of
 * concurrent appends are sent together).
 */

/**
 * What an erased personal field reads as: the French "erased", shown as is by screens. It replaces
 * the whole field, whatever its type (a string, or an object like an address), so a payload read
 * after an erasure may not match its schema any more: test fields with {@link isErased}.
 */
export const ERASED = '[effacé]';
export type ErasedValue = typeof ERASED;

export function isErased(value: unknown): value is ErasedValue {
  return value === ERASED;
}

/**
 * What a personal field of another person reads as in a subject's access export (a field of a
 * shared stream encrypted with someone else's key is never decrypted for this subject).
 */
export const WITHHELD = '[autre personne]';

export const CIPHERTEXT_V1_PREFIX = 'pii:v1:';
export const CIPHERTEXT_V2_PREFIX = 'pii:v2:';
/** The prefix of what the codec writes (v2). */
export const CIPHERTEXT_PREFIX = CIPHERTEXT_V2_PREFIX;
const SUBJECT_AND_GENERATION = '([a-z0-9]+(?:-[a-z0-9]+)*):([1-9][0-9]{0,8})';
const V1_PATTERN = new RegExp(`^pii:v1:${SUBJECT_AND_GENERATION}:([A-Za-z0-9_-]+)$`);
const V2_PATTERN = new RegExp(`^pii:v2:${SUBJECT_AND_GENERATION}(?::([A-Za-z0-9_-]+))?$`);
/** What every personal field of a v2 event but the envelope's holds (written since the short form). */
export const CIPHERTEXT_V2_REFERENCE = `${CIPHERTEXT_V2_PREFIX}=`;
const VERSIONED = /^pii:v[0-9]+:/;

/**
 * A parsed ciphertext string. v1: one field's own ciphertext. v2: `sealed` is the event's envelope
 * for the field that carries it, null for a reference to it (long form, naming the key).
 */
export type Ciphertext =
  | { readonly version: 1; readonly subjectId: string; readonly generation: number; readonly sealed: Buffer }
  | {
      readonly version: 2;
      readonly subjectId: string;
      readonly generation: number;
      readonly sealed: Buffer | null;
    };

/** A short v2 reference (`pii:v2:=`): the event's envelope names the key. */
export interface EnvelopeReference {
  readonly version: 2;
  readonly reference: 'envelope';
}

/** What a `pii:v…` string parses to: a ciphertext, or a short reference to its event's envelope. */
export type ParsedCiphertext = Ciphertext | EnvelopeReference;

const isShortReference = (parsed: ParsedCiphertext): parsed is EnvelopeReference => 'reference' in parsed;

/** Whether a value has the ciphertext shape, v1 or v2, or is a short v2 reference (it may still fail to decrypt). */
export function isCiphertext(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    (value === CIPHERTEXT_V2_REFERENCE || V2_PATTERN.test(value) || V1_PATTERN.test(value))
  );
}

/**
 * Parses a `pii:v…` string: a v1 or v2 ciphertext, or a short v2 reference ({@link
 * parseReferenceOrCiphertext}); throws {@link IntegrityError} when it is malformed, of an unknown
 * version, or a short reference (which names no key: read it with its event).
 */
export function parseCiphertext(text: string, where = 'ciphertext'): Ciphertext {
  const parsed = parseReferenceOrCiphertext(text, where);
  if (isShortReference(parsed))
    throw new IntegrityError(`${where}: a reference to its event's envelope names no key by itself`);
  return parsed;
}

/** Parses a `pii:v…` string, short v2 references included; throws {@link IntegrityError} when malformed. */
export function parseReferenceOrCiphertext(text: string, where = 'ciphertext'): ParsedCiphertext {
  if (text === CIPHERTEXT_V2_REFERENCE) return { version: 2, reference: 'envelope' };
  const v2 = V2_PATTERN.exec(text);
  if (v2) {
    const body = v2[3];
    return {
      version: 2,
      subjectId: v2[1]!,
      generation: Number(v2[2]),
      sealed: body === undefined ? null : Buffer.from(body, 'base64url'),
    };
  }
  const v1 = V1_PATTERN.exec(text);
  if (v1) {
    return {
      version: 1,
      subjectId: v1[1]!,
      generation: Number(v1[2]),
      sealed: Buffer.from(v1[3]!, 'base64url'),
    };
  }
  const version = VERSIONED.exec(text)?.[0];
  throw new IntegrityError(
    version && version !== CIPHERTEXT_V1_PREFIX && version !== CIPHERTEXT_V2_PREFIX
      ? `${where}: unsupported ciphertext version ${version.slice(5, -1)}`
      : `${where}: malformed ciphertext`,
  );
}

function keyMismatch(key: DataKey, ciphertext: Ciphertext, where: string): IntegrityError | undefined {
  return key.subjectId !== ciphertext.subjectId || key.generation !== ciphertext.generation
    ? new IntegrityError(`${where}: key of ${key.subjectId}/${key.generation} offered for another subject`)
    : undefined;
}

// --- v1: one ciphertext per field (read; written only to make fixtures of older ledgers) --------

function fieldAadV1(subjectId: string, generation: number, eventId: string, pointer: string): Buffer {
  return Buffer.from(`${CIPHERTEXT_V1_PREFIX}${subjectId}:${generation}\n${eventId}\n${pointer}`, 'utf8');
}

/**
 * Encrypts one field value (any JSON value) for an event id and JSON Pointer in the v1 format.
 * The codec no longer writes v1: this is what ledgers written before v2 hold (tests use it).
 */
export function encryptFieldV1(key: DataKey, eventId: string, pointer: string, value: unknown): string {
  const sealed = seal(
    key.key,
    Buffer.from(JSON.stringify(value), 'utf8'),
    fieldAadV1(key.subjectId, key.generation, eventId, pointer),
  );
  return `${CIPHERTEXT_V1_PREFIX}${key.subjectId}:${key.generation}:${sealed.toString('base64url')}`;
}

/** Decrypts one v1 field; `key` null (destroyed) gives {@link ERASED}. */
export function decryptFieldV1(
  key: DataKey | null,
  eventId: string,
  pointer: string,
  ciphertext: Ciphertext & { readonly version: 1 },
  where: string,
): unknown {
  if (key === null) return ERASED;
  const mismatch = keyMismatch(key, ciphertext, where);
  if (mismatch) throw mismatch;
  const plain = open(
    key.key,
    ciphertext.sealed,
    fieldAadV1(ciphertext.subjectId, ciphertext.generation, eventId, pointer),
    where,
  );
  return JSON.parse(plain.toString('utf8'));
}

// --- v2: one envelope per event ------------------------------------------------------------------

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The AAD of an event's envelope (`pointersJson` the JSON array of the pointers sorted by code
 * units): `pii:v2:<subjectId>:<generation>\n<JSON array of the pointers>\n<event id>`.
 * Unambiguous: the subject id and generation have no newline, the JSON array ends at its closing
 * bracket (JSON strings escape newlines), the event id is the rest.
 */
const envelopeAad = (subjectId: string, generation: number, eventId: string, pointersJson: string): string =>
  `${CIPHERTEXT_V2_PREFIX}${subjectId}:${generation}\n${pointersJson}\n${eventId}`;

/** The prefix of a key's envelope strings (`pii:v2:<subjectId>:<generation>`). */
const keyPrefixOf = (subjectId: string, generation: number): string =>
  `${CIPHERTEXT_V2_PREFIX}${subjectId}:${generation}`;

// A key's envelope prefix, built once per key (the append path seals with the same few keys).
const keyPrefixes = new WeakMap<DataKey, string>();

function keyPrefixFor(key: DataKey): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = keyPrefixOf(key.subjectId, key.generation);
    keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * Seals the values of one event's personal fields (`pointers` sorted by code units, `values` in
 * the same order) as a v2 envelope: the string for the first field, and the reference for the others.
 */
export function sealEnvelope(
  key: DataKey,
  eventId: string,
  pointers: readonly string[],
  values: readonly unknown[],
): { readonly envelope: string; readonly reference: string } {
  return {
    envelope: sealedEnvelope(
      key,
      keyPrefixOf(key.subjectId, key.generation),
      eventId,
      JSON.stringify(pointers),
      values,
    ),
    reference: CIPHERTEXT_V2_REFERENCE,
  };
}

/** The envelope string of {@link sealEnvelope}, given the key's prefix and the pointers' JSON (the append path caches both). */
function sealedEnvelope(
  key: DataKey,
  keyPrefix: string,
  eventId: string,
  pointersJson: string,
  values: readonly unknown[],
): string {
  const sealed = sealToBase64url(
    key.key,
    JSON.stringify(values),
    envelopeAad(key.subjectId, key.generation, eventId, pointersJson),
  );
  return `${keyPrefix}:${sealed}`;
}

/**
 * Opens a v2 envelope: `envelope` the parsed string of the field that carries it, `pointers` every
 * field of the event holding a v2 string (sorted by code units). Returns the values in pointer
 * order; throws {@link IntegrityError} when the key is another subject's or the tag fails.
 */
export function openEnvelope(
  key: DataKey,
  eventId: string,
  pointers: readonly string[],
  envelope: Ciphertext,
  where: string,
): unknown[] {
  const mismatch = keyMismatch(key, envelope, where);
  if (mismatch) throw mismatch;
  if (envelope.version !== 2 || envelope.sealed === null)
    throw new IntegrityError(`${where}: not a v2 envelope`);
  const aad = envelopeAad(envelope.subjectId, envelope.generation, eventId, JSON.stringify(pointers));
  const values: unknown = JSON.parse(open(key.key, envelope.sealed, aad, where).toString('utf8'));
  if (!Array.isArray(values) || values.length !== pointers.length)
    throw new IntegrityError(`${where}: the envelope does not hold one value per field`);
  return values;
}

export type PersonalDataErrorCode =
  | 'no_data_subject'
  | 'ambiguous_data_subject'
  | 'invalid_data_subject'
  | 'already_encrypted';

/** An event cannot be encrypted as given (a programming error of its writer, not a conflict). */
export class PersonalDataError extends Error {
  override readonly name = 'PersonalDataError';
  constructor(
    readonly code: PersonalDataErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

type Step =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'items' }
  | { readonly kind: 'values' };

const parsedPaths = new Map<string, readonly Step[]>();

/** Parses the contract's JSONPath subset: `$`, `.name`, `.*`, `[*]`, `[n]`. */
function stepsOf(path: string): readonly Step[] {
  let steps = parsedPaths.get(path);
  if (steps) return steps;
  if (!path.startsWith('$')) throw new RangeError(`not a JSONPath: ${path}`);
  const parsed: Step[] = [];
  const token = /\.([^.[\]]+)|\[(\*|\d+)\]/gy;
  token.lastIndex = 1;
  while (token.lastIndex < path.length) {
    const m = token.exec(path);
    if (!m) throw new RangeError(`unsupported JSONPath: ${path}`);
    if (m[1] === '*') parsed.push({ kind: 'values' });
    else if (m[1] !== undefined) parsed.push({ kind: 'property', name: m[1] });
    else if (m[2] === '*') parsed.push({ kind: 'items' });
    else parsed.push({ kind: 'index', index: Number(m[2]) });
  }
  steps = parsed;
  parsedPaths.set(path, steps);
  return steps;
}

type Container = Record<string, unknown> | unknown[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escapePointer = (key: string | number): string =>
  typeof key === 'number' ? String(key) : key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Calls `visit` for every concrete location a path names in `node` (`pointer` is its JSON Pointer). */
function forEachLocation(
  node: unknown,
  steps: readonly Step[],
  at: number,
  pointer: string,
  visit: (parent: Container, key: string | number, pointer: string) => void,
): void {
  const step = steps[at];
  if (step === undefined) return;
  const last = at === steps.length - 1;
  const go = (parent: Container, key: string | number, child: unknown) => {
    const childPointer = `${pointer}/${escapePointer(key)}`;
    if (last) visit(parent, key, childPointer);
    else forEachLocation(child, steps, at + 1, childPointer, visit);
  };
  switch (step.kind) {
    case 'property':
      if (isRecord(node) && Object.hasOwn(node, step.name)) go(node, step.name, node[step.name]);
      return;
    case 'index':
      if (Array.isArray(node) && step.index < node.length) go(node, step.index, node[step.index]);
      return;
    case 'items':
      if (Array.isArray(node)) {
        for (const [index, child] of node.entries()) go(node, index, child);
      }
      return;
    case 'values':
      if (isRecord(node)) for (const [key, child] of Object.entries(node)) go(node, key, child);
      return;
  }
}

/** The value at a JSONPath made of property names (`$.customerId`); undefined when absent. */
export function valueAt(data: unknown, path: string): unknown {
  let node = data;
  for (const step of stepsOf(path)) {
    if (step.kind !== 'property' || !isRecord(node)) return undefined;
    node = node[step.name];
  }
  return node;
}

const getChild = (parent: Container, key: string | number): unknown =>
  Array.isArray(parent) ? parent[Number(key)] : parent[String(key)];

const setChild = (parent: Container, key: string | number, value: unknown): void => {
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else parent[String(key)] = value;
};

const cloneData = (data: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  structuredClone(data) as Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Codec
// ---------------------------------------------------------------------------------------------

export interface PersonalDataCodecOptions {
  /** Retention kind of an event (default {@link retentionKindOf}). */
  readonly kindOf?: (eventType: string, streamName: string) => string;
}

export interface PersonalDataCodec {
  /** Encrypts the personal fields of events about to be appended to `stream`, and records activity. */
  encode(stream: string, events: readonly EventToAppend[]): Promise<readonly EventToAppend[]>;
  /**
   * Decrypts every ciphertext of recorded events (erased values read as {@link ERASED}). With
   * `onlySubject`, ciphertexts of other subjects read as {@link WITHHELD} instead.
   */
  decode(events: readonly RecordedEvent[], options?: DecodeOptions): Promise<readonly RecordedEvent[]>;
}

export interface DecodeOptions {
  readonly onlySubject?: string;
}

/**
 * The personal paths and subject path of an event type, compiled once, so an append only reads
 * the payload at known places: no payload walk, no generic clone, no path parsing per event.
 */
interface TypePlan {
  /** Sorted by pointer (code units): values come out in envelope order. */
  readonly paths: readonly CompiledPath[];
  /**
   * Every path is made of property names, distinct, and at most {@link MAX_FAST_PATHS} of them
   * (every type of today's catalogue): the fields holding a value are found in one pass as a bit
   * mask of `paths`, and each mask's pointer list (the AAD's) is built once.
   */
  readonly fast: boolean;
  readonly subjectPath: string | undefined;
  /** The subject path's property names (undefined when absent or not made of property names). */
  readonly subjectNames: readonly string[] | undefined;
  /** Fast plans: the pointers of the fields holding a value and their JSON, per bit mask. */
  readonly pointerLists: Map<number, PointerList>;
}

interface CompiledPath {
  readonly path: string;
  readonly steps: readonly Step[];
  /** Property names when the path has no wildcard (every path of today's catalogue): the fast path. */
  readonly names: readonly string[] | null;
  /** JSON Pointer of a wildcard-free path. */
  readonly pointer: string;
}

interface PointerList {
  readonly pointers: readonly string[];
  /** `JSON.stringify(pointers)`, as the AAD holds it. */
  readonly json: string;
}

/** Bits of a mask that stay positive small integers. */
const MAX_FAST_PATHS = 30;
/** Masks whose pointer lists are kept per type (a type has a handful in practice). */
const MAX_POINTER_LISTS = 256;

const NO_PLAN: TypePlan = {
  paths: [],
  fast: true,
  subjectPath: undefined,
  subjectNames: undefined,
  pointerLists: new Map(),
};
const typePlans = new Map<string, TypePlan>();
const singleSubjectCategories: ReadonlySet<string> = new Set(SINGLE_SUBJECT_STREAM_CATEGORIES);
/** A stream's category: what precedes its first `-` (`booking-…` → `booking`). */
const categoryOf = (stream: string): string => stream.slice(0, Math.max(0, stream.indexOf('-')));

const propertyNames = (steps: readonly Step[]): string[] | null =>
  steps.every((step) => step.kind === 'property')
    ? steps.map((step) => (step.kind === 'property' ? step.name : ''))
    : null;

function planOf(type: string): TypePlan {
  let plan = typePlans.get(type);
  if (plan) return plan;
  if (!isDomainEventType(type)) return NO_PLAN;
  const paths = personalFieldPaths(type)
    .map((path): CompiledPath => {
      const steps = stepsOf(path);
      const names = propertyNames(steps);
      return {
        path,
        steps,
        names,
        pointer: names ? names.map((n) => `/${escapePointer(n)}`).join('') : '',
      };
    })
    .sort((a, b) => byCodeUnits(a.pointer, b.pointer));
  const subjectPath = subjectPathOf(type);
  plan = {
    subjectPath,
    subjectNames: (subjectPath === undefined ? null : propertyNames(stepsOf(subjectPath))) ?? undefined,
    paths,
    fast:
      paths.length <= MAX_FAST_PATHS &&
      paths.every((compiled) => compiled.names !== null) &&
      new Set(paths.map((compiled) => compiled.pointer)).size === paths.length,
    pointerLists: new Map(),
  };
  typePlans.set(type, plan);
  return plan;
}

/** The parent object of a wildcard-free path's leaf, or undefined when absent. */
function parentAt(data: unknown, names: readonly string[]): Record<string, unknown> | undefined {
  let node = data;
  for (let i = 0; i < names.length - 1; i++) {
    if (!isRecord(node)) return undefined;
    node = node[names[i] ?? ''];
  }
  return isRecord(node) ? node : undefined;
}

function hasValue(data: unknown, compiled: CompiledPath): boolean {
  if (compiled.names) {
    const value = parentAt(data, compiled.names)?.[compiled.names[compiled.names.length - 1] ?? ''];
    return value !== null && value !== undefined;
  }
  let found = false;
  forEachLocation(data, compiled.steps, 0, '', (parent, key) => {
    const value = getChild(parent, key);
    if (value !== null && value !== undefined) found = true;
  });
  return found;
}

/** Fast plans: the fields of an event holding a value (bit i: `paths[i]`) and their values, in pointer order. */
interface Present {
  readonly mask: number;
  readonly values: readonly unknown[];
}

const NOTHING_PRESENT: Present = { mask: 0, values: [] };

function presentValues(data: unknown, paths: readonly CompiledPath[]): Present {
  let mask = 0;
  let values: unknown[] | undefined;
  for (let i = 0; i < paths.length; i++) {
    const names = paths[i]?.names ?? [];
    const value = parentAt(data, names)?.[names[names.length - 1] ?? ''];
    if (value === null || value === undefined) continue;
    mask |= 1 << i;
    if (values) values.push(value);
    else values = [value];
  }
  return values ? { mask, values } : NOTHING_PRESENT;
}

/** The pointer list of a fast plan's mask (built once per mask). */
function pointerListOf(plan: TypePlan, mask: number): PointerList {
  const cached = plan.pointerLists.get(mask);
  if (cached) return cached;
  const pointers = plan.paths.filter((_, i) => (mask & (1 << i)) !== 0).map((compiled) => compiled.pointer);
  const list = { pointers, json: JSON.stringify(pointers) };
  if (plan.pointerLists.size < MAX_POINTER_LISTS) plan.pointerLists.set(mask, list);
  return list;
}

// Subject ids already checked, so an append about a known subject skips the entity-id pattern.
const checkedSubjectIds = new Set<string>();
const MAX_CHECKED_SUBJECT_IDS = 10_000;

function isSubjectId(value: string): boolean {
  if (checkedSubjectIds.has(value)) return true;
  if (!isEntityId(value)) return false;
  if (checkedSubjectIds.size >= MAX_CHECKED_SUBJECT_IDS) checkedSubjectIds.clear();
  checkedSubjectIds.add(value);
  return true;
}

/** The value at the type's subject path (`$.customerId`), undefined when absent. */
function subjectValueOf(plan: TypePlan, data: unknown): unknown {
  const names = plan.subjectNames;
  if (names === undefined)
    return plan.subjectPath === undefined ? undefined : valueAt(data, plan.subjectPath);
  let node = data;
  for (const name of names) {
    if (!isRecord(node)) return undefined;
    node = node[name];
  }
  return node;
}

/**
 * Copies the objects on the way to a wildcard-free path's leaf (once each: `copied` holds the
 * copies made) and returns the leaf's parent in the copy, or undefined when the path is absent.
 */
function copyOnWritePath(
  root: Record<string, unknown>,
  names: readonly string[],
  copied: object[],
): Record<string, unknown> | undefined {
  let node = root;
  for (let i = 0; i < names.length - 1; i++) {
    const name = names[i] ?? '';
    const child = node[name];
    if (!isRecord(child)) return undefined;
    if (copied.includes(child)) node = child;
    else {
      const copy = { ...child };
      copied.push(copy);
      node[name] = copy;
      node = copy;
    }
  }
  return node;
}

/** A personal field holding a value, found in the event's (copied) payload. */
interface Location {
  readonly parent: Container;
  readonly leaf: string | number;
  readonly pointer: string;
  readonly value: unknown;
}

const alreadyEncrypted = (event: EventToAppend, pointer: string | undefined) =>
  new PersonalDataError(
    'already_encrypted',
    `${event.type} ${event.id}: ${pointer} already holds a ciphertext; append plain values`,
  );

/**
 * Adds the value at `parent[leaf]` to `found` unless it is null or absent (or `pointer` is already
 * there: two paths may name the same location, `$.a[*]` and `$.a[0]`); refuses a ciphertext.
 */
function takeLocation(
  found: Location[],
  event: EventToAppend,
  parent: Container,
  leaf: string | number,
  pointer: string,
): void {
  const value = getChild(parent, leaf);
  if (value === null || value === undefined) return;
  if (typeof value === 'string' && VERSIONED.test(value)) throw alreadyEncrypted(event, pointer);
  for (const location of found) if (location.pointer === pointer) return;
  found.push({ parent, leaf, pointer, value });
}

/**
 * Encrypts the fields of a fast plan holding a value as one v2 envelope. The caller's payload is
 * left as it is: only the objects on the way to the fields are copied.
 */
function encryptPresent(event: EventToAppend, plan: TypePlan, present: Present, key: DataKey): EventToAppend {
  const { mask, values } = present;
  const list = pointerListOf(plan, mask);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string' && value.startsWith('pii:v') && VERSIONED.test(value))
      throw alreadyEncrypted(event, list.pointers[i]);
  }
  const envelope = sealedEnvelope(key, keyPrefixFor(key), event.id, list.json, values);
  const data = { ...event.data };
  const copied: object[] = [data];
  let first = true;
  for (let i = 0; i < plan.paths.length; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const names = plan.paths[i]?.names ?? [];
    const parent = copyOnWritePath(data, names, copied);
    if (parent) parent[names[names.length - 1] ?? ''] = first ? envelope : CIPHERTEXT_V2_REFERENCE;
    first = false;
  }
  return { ...event, data };
}

/**
 * Encrypts an event's personal fields as one v2 envelope, for any paths (wildcards included): the
 * payload is cloned, the caller's left as it is. `paths`: those holding a value.
 */
function encryptEvent(event: EventToAppend, paths: readonly CompiledPath[], key: DataKey): EventToAppend {
  const found: Location[] = [];
  const data = cloneData(event.data);
  for (const compiled of paths) {
    if (compiled.names) {
      const parent = parentAt(data, compiled.names);
      if (parent)
        takeLocation(found, event, parent, compiled.names[compiled.names.length - 1] ?? '', compiled.pointer);
    } else {
      forEachLocation(data, compiled.steps, 0, '', (parent, leaf, pointer) =>
        takeLocation(found, event, parent, leaf, pointer),
      );
    }
  }
  found.sort((a, b) => byCodeUnits(a.pointer, b.pointer));
  if (found.length === 0) return event;
  const { envelope, reference } = sealEnvelope(
    key,
    event.id,
    found.map((location) => location.pointer),
    found.map((location) => location.value),
  );
  found.forEach((location, i) => {
    setChild(location.parent, location.leaf, i === 0 ? envelope : reference);
  });
  return { ...event, data };
}

/** Encrypts each planned event with its subject's key (events without personal values as they are). */
function encryptPlans(plans: readonly Plan[], keyOf: ReadonlyMap<string, DataKey>): readonly EventToAppend[] {
  return plans.map(({ event, subjectId, type, present, paths }) => {
    const key = subjectId === undefined ? undefined : keyOf.get(subjectId);
    if (key === undefined) return event;
    if (present.mask !== 0) return encryptPresent(event, type, present, key);
    return paths.length === 0 ? event : encryptEvent(event, paths, key);
  });
}

interface Plan {
  readonly event: EventToAppend;
  readonly subjectId: string | undefined;
  readonly type: TypePlan;
  /** Fast plans: the fields holding a value. */
  readonly present: Present;
  /** Other plans: the paths holding a value. */
  readonly paths: readonly CompiledPath[];
}

const NO_PATHS: readonly CompiledPath[] = [];

export function createPersonalDataCodec(
  vault: Vault,
  options: PersonalDataCodecOptions = {},
): PersonalDataCodec {
  const { encode, decode } = createCodec(vault, options);
  return { encode, decode };
}

/** Encoded events, at once when nothing had to be waited for (the steady state), else later. */
type Encoded = readonly EventToAppend[] | Promise<readonly EventToAppend[]>;

function createCodec(vault: Vault, options: PersonalDataCodecOptions) {
  const kindOf = options.kindOf ?? retentionKindOf;

  /**
   * The steady state of a single-event append, with no per-append plan, activity list, key map or
   * Date (only the values found and the encrypted event are allocated): a type whose
   * personal paths are plain property names, its subject named by the event (or the stream's one
   * subject, cached), the subject's key cached and the activity recorded today. Undefined when
   * anything else holds (or is wrong): {@link encodeNow}'s general path then handles the event,
   * with the same result and errors as ever.
   */
  function encodeOneNow(stream: string, event: EventToAppend): readonly EventToAppend[] | undefined {
    const type = planOf(event.type);
    if (!type.fast) return undefined;
    const present = presentValues(event.data, type.paths);
    let subjectId: string | undefined;
    if (type.subjectPath !== undefined) {
      const named = subjectValueOf(type, event.data);
      if (typeof named === 'string' && isSubjectId(named)) subjectId = named;
      else if (present.mask !== 0) return undefined;
    }
    if (subjectId === undefined && singleSubjectCategories.has(categoryOf(stream))) {
      const linked = vault.cachedSubjectsOfStream(stream);
      if (linked === undefined || linked.length > 1) return undefined;
      subjectId = linked[0];
    }
    if (subjectId === undefined) return present.mask === 0 ? [event] : undefined;
    if (!vault.isActivityRecorded(subjectId, stream, kindOf(event.type, stream), vault.now()))
      return undefined;
    if (present.mask === 0) return [event];
    const key = vault.cachedEncryptionKey(subjectId);
    return key === undefined ? undefined : [encryptPresent(event, type, present, key)];
  }

  /**
   * Encodes without a promise when the subjects' keys are cached, the stream's subjects known and
   * the activity already recorded today; throws {@link PersonalDataError} synchronously. `links`:
   * the stream's subjects, once read from the store.
   */
  function encodeNow(stream: string, events: readonly EventToAppend[], links?: readonly string[]): Encoded {
    if (links === undefined && events.length === 1) {
      const [only] = events;
      const encoded = only === undefined ? undefined : encodeOneNow(stream, only);
      if (encoded !== undefined) return encoded;
    }
    const singleSubject = singleSubjectCategories.has(categoryOf(stream));
    let linked = links;
    let batchSubject: string | undefined;
    const plans: Plan[] = [];
    const activity: SubjectActivity[] = [];
    const at = vault.clock();

    for (const event of events) {
      const type = planOf(event.type);
      let present = NOTHING_PRESENT;
      let paths = NO_PATHS;
      if (type.fast) present = presentValues(event.data, type.paths);
      else paths = type.paths.filter((compiled) => hasValue(event.data, compiled));
      const withValues = present.mask !== 0 || paths.length > 0;
      let subjectId: string | undefined;
      if (type.subjectPath !== undefined) {
        const named = subjectValueOf(type, event.data);
        if (typeof named === 'string' && isSubjectId(named)) subjectId = named;
        else if (withValues) {
          throw new PersonalDataError(
            'invalid_data_subject',
            `${event.type} ${event.id}: ${type.subjectPath} must name the data subject (an entity id), got ${JSON.stringify(named)}`,
          );
        }
      }
      if (subjectId === undefined && singleSubject) {
        if (batchSubject !== undefined) subjectId = batchSubject;
        else {
          linked ??= vault.cachedSubjectsOfStream(stream);
          if (linked === undefined)
            return vault.subjectsOfStream(stream).then((found) => encodeNow(stream, events, found));
          if (linked.length === 1) subjectId = linked[0];
          else if (linked.length > 1 && withValues) {
            throw new PersonalDataError(
              'ambiguous_data_subject',
              `${event.type} ${event.id}: stream ${stream} concerns ${linked.length} subjects; name the subject in the event`,
            );
          }
        }
      }
      if (withValues && subjectId === undefined) {
        const valued = type.fast ? type.paths.filter((_, i) => (present.mask & (1 << i)) !== 0) : paths;
        throw new PersonalDataError(
          'no_data_subject',
          `${event.type} ${event.id}: personal fields (${valued.map((c) => c.path).join(', ')}) but no data subject: the event names none and stream ${stream} is linked to none`,
        );
      }
      if (subjectId !== undefined) {
        if (singleSubject) batchSubject ??= subjectId;
        activity.push({ subjectId, streamName: stream, kind: kindOf(event.type, stream), at });
      }
      plans.push({ event, subjectId, type, present, paths });
    }

    // The common case waits for nothing: keys cached, activity already recorded today. A subject
    // whose key is not cached has its activity recorded with the key claim (one round trip).
    const keyOf = new Map<string, DataKey>();
    const pending: Promise<unknown>[] = [];
    let uncached: Set<string> | undefined;
    for (const { subjectId, present, paths } of plans) {
      if (subjectId === undefined || (present.mask === 0 && paths.length === 0) || keyOf.has(subjectId))
        continue;
      const cached = vault.cachedEncryptionKey(subjectId);
      if (cached) keyOf.set(subjectId, cached);
      else {
        uncached ??= new Set();
        uncached.add(subjectId);
      }
    }
    const withClaim = (entry: SubjectActivity) => uncached?.has(entry.subjectId) === true;
    const recording = vault.recordActivity(uncached ? activity.filter((a) => !withClaim(a)) : activity);
    if (recording) pending.push(recording);
    for (const subjectId of uncached ?? []) {
      const theirs = activity.filter((a) => a.subjectId === subjectId);
      pending.push(vault.encryptionKey(subjectId, theirs).then((key) => keyOf.set(subjectId, key)));
    }
    return pending.length > 0
      ? Promise.all(pending).then(() => encryptPlans(plans, keyOf))
      : encryptPlans(plans, keyOf);
  }

  async function encode(stream: string, events: readonly EventToAppend[]): Promise<readonly EventToAppend[]> {
    return encodeNow(stream, events);
  }

  async function decode(
    events: readonly RecordedEvent[],
    decodeOptions: DecodeOptions = {},
  ): Promise<readonly RecordedEvent[]> {
    const only = decodeOptions.onlySubject;
    const withheld = (ciphertext: Ciphertext) => only !== undefined && ciphertext.subjectId !== only;
    const found = new Map<number, Found>();
    const wanted = new Map<string, { subjectId: string; generation: number }>();
    const want = (ciphertext: Ciphertext) => {
      if (!withheld(ciphertext)) wanted.set(`${ciphertext.subjectId}:${ciphertext.generation}`, ciphertext);
    };
    events.forEach((event, index) => {
      const v1: V1Field[] = [];
      const v2: V2Field[] = [];
      const walk = (node: unknown, keys: (string | number)[], pointer: string) => {
        if (typeof node === 'string') {
          if (!VERSIONED.test(node)) return;
          const ciphertext = parseReferenceOrCiphertext(node, where(event, pointer));
          if (ciphertext.version === 1) v1.push({ keys: [...keys], pointer, ciphertext });
          else v2.push({ keys: [...keys], pointer, ciphertext });
          return;
        }
        if (Array.isArray(node)) {
          node.forEach((child, i) => {
            keys.push(i);
            walk(child, keys, `${pointer}/${i}`);
            keys.pop();
          });
        } else if (isRecord(node)) {
          for (const [key, child] of Object.entries(node)) {
            keys.push(key);
            walk(child, keys, `${pointer}/${escapePointer(key)}`);
            keys.pop();
          }
        }
      };
      walk(event.data, [], '');
      for (const field of v1) want(field.ciphertext);
      const envelope = v2.length > 0 ? envelopeOf(event, v2) : undefined;
      if (envelope) want(envelope.ciphertext);
      if (v1.length > 0 || envelope) found.set(index, { v1, envelope });
    });
    if (found.size === 0) return events;

    const resolved = await Promise.all(
      [...wanted.entries()].map(
        async ([id, { subjectId, generation }]) =>
          [id, await vault.decryptionKey(subjectId, generation)] as const,
      ),
    );
    const keyOf = new Map(resolved);
    const keyFor = (ciphertext: Ciphertext) =>
      keyOf.get(`${ciphertext.subjectId}:${ciphertext.generation}`) ?? null;

    return events.map((event, index) => {
      const fields = found.get(index);
      if (!fields) return event;
      const data = cloneData(event.data);
      const place = (keys: readonly (string | number)[], value: unknown) => {
        let parent: unknown = data;
        for (const key of keys.slice(0, -1)) parent = getChild(parent as Container, key);
        setChild(parent as Container, keys[keys.length - 1] ?? '', value);
      };
      for (const { keys, pointer, ciphertext } of fields.v1) {
        if (ciphertext.version !== 1) continue;
        place(
          keys,
          withheld(ciphertext)
            ? WITHHELD
            : decryptFieldV1(keyFor(ciphertext), event.id, pointer, ciphertext, where(event, pointer)),
        );
      }
      const { envelope } = fields;
      if (envelope) {
        const key = withheld(envelope.ciphertext) ? undefined : keyFor(envelope.ciphertext);
        const values =
          key === undefined || key === null
            ? undefined
            : openEnvelope(key, event.id, envelope.pointers, envelope.ciphertext, envelope.where);
        envelope.fields.forEach((field, i) => {
          place(field.keys, key === undefined ? WITHHELD : key === null ? ERASED : values?.[i]);
        });
      }
      return { ...event, data };
    });
  }

  return { encode, encodeNow, decode };
}

interface FoundField<C extends ParsedCiphertext> {
  /** Property names and indexes from the payload's root to the field. */
  readonly keys: readonly (string | number)[];
  readonly pointer: string;
  readonly ciphertext: C;
}

type V1Field = FoundField<Ciphertext & { readonly version: 1 }>;
type V2Field = FoundField<Exclude<ParsedCiphertext, { readonly version: 1 }>>;

/** An event's v2 fields, checked: one subject and generation, exactly one envelope. */
interface FoundEnvelope {
  /** Sorted by pointer (code units). */
  readonly fields: readonly V2Field[];
  readonly pointers: readonly string[];
  /** The ciphertext that carries the sealed values. */
  readonly ciphertext: Ciphertext;
  readonly where: string;
}

interface Found {
  readonly v1: readonly V1Field[];
  readonly envelope: FoundEnvelope | undefined;
}

/** Checks the v2 fields of one event; throws {@link IntegrityError} when they cannot be one envelope. */
function envelopeOf(event: RecordedEvent, v2: V2Field[]): FoundEnvelope {
  v2.sort((a, b) => byCodeUnits(a.pointer, b.pointer));
  const pointers = v2.map((field) => field.pointer);
  const at = `${event.type} ${event.id} in ${event.streamName}, fields ${pointers.join(', ')}`;
  const named: Ciphertext[] = [];
  for (const { ciphertext } of v2) if (!isShortReference(ciphertext)) named.push(ciphertext);
  const holders = named.filter((ciphertext) => ciphertext.sealed !== null);
  const holder = holders[0];
  if (holder === undefined || holders.length > 1) {
    throw new IntegrityError(
      `${at}: ${holder === undefined ? 'no field carries the envelope' : 'several fields carry an envelope'}`,
    );
  }
  // Long-form references name a key: it must be the envelope's.
  const { subjectId, generation } = holder;
  const stranger = named.find(
    (ciphertext) => ciphertext.subjectId !== subjectId || ciphertext.generation !== generation,
  );
  if (stranger) {
    throw new IntegrityError(
      `${at}: fields of one event name different keys (${subjectId}/${generation} and ${stranger.subjectId}/${stranger.generation})`,
    );
  }
  return { fields: v2, pointers, ciphertext: holder, where: at };
}

function where(event: RecordedEvent, pointer: string): string {
  return `${event.type} ${event.id} in ${event.streamName}, field ${pointer || '/'}`;
}

const decorations = new WeakMap<Ledger, { readonly inner: Ledger; readonly vault: Vault }>();

/**
 * The ledger with personal data encrypted on append and decrypted on read (`readStream`,
 * `readAll`, `subscribe`), whatever the adapter underneath. Closing it closes the inner ledger;
 * the vault stays open (its owner closes its store). Decorating a ledger already decorated with
 * the same vault returns it as it is (encrypting twice would refuse every append).
 */
export function withPersonalData(
  ledger: Ledger,
  vault: Vault,
  options: PersonalDataCodecOptions = {},
): Ledger {
  const existing = decorations.get(ledger);
  if (existing) {
    if (existing.vault === vault) return ledger;
    throw new Error('this ledger already encrypts personal data with another vault');
  }
  const codec = createCodec(vault, options);
  const decorated: Ledger = {
    kind: ledger.kind,
    // No promise of its own in the steady state: the append goes out in the caller's turn.
    append: (stream, events, expected) => {
      let encoded: Encoded;
      try {
        encoded = codec.encodeNow(stream, events);
      } catch (error) {
        return Promise.reject(error);
      }
      return encoded instanceof Promise
        ? encoded.then((ready) => ledger.append(stream, ready, expected))
        : ledger.append(stream, encoded, expected);
    },
    readStream: async (stream, readOptions) => codec.decode(await ledger.readStream(stream, readOptions)),
    streamRevision: (stream) => ledger.streamRevision(stream),
    readAll: async (readOptions): Promise<ReadAllPage> => {
      const page = await ledger.readAll(readOptions);
      return { ...page, events: await codec.decode(page.events) };
    },
    subscribe: (subscribeOptions, handler) => {
      const decoding: SubscriptionHandler = {
        handle: async (events) => handler.handle(await codec.decode(events)),
        ...(handler.caughtUp ? { caughtUp: (position) => handler.caughtUp?.(position) } : {}),
        ...(handler.storeError
          ? { storeError: (error, attempt) => handler.storeError?.(error, attempt) }
          : {}),
      };
      return ledger.subscribe(subscribeOptions, decoding);
    },
    ping: () => ledger.ping(),
    close: () => ledger.close(),
  };
  decorations.set(decorated, { inner: ledger, vault });
  return decorated;
}

/** The ledger under {@link withPersonalData} (ciphertext as stored), or `ledger` itself when not decorated. */
export function withoutPersonalData(ledger: Ledger): Ledger {
  return decorations.get(ledger)?.inner ?? ledger;
}
