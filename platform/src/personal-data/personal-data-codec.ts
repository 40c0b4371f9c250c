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
import { IntegrityError, open, seal } from './aes-gcm.js';
import type { SubjectActivity } from './key-store.js';
import { retentionKindOf } from './retention-policy.js';
import type { DataKey, Vault } from './vault.js';

/**
 * The personal-data codec: the fields an event contract marks `personal: true` are encrypted with
 * the data subject's key when the event is appended, and decrypted when it is read, so deciders and
 * projectors only ever see plain values while the ledger only ever stores ciphertext.
 *
 * **Ciphertext format** — a self-describing string in place of the value:
 *
 *     pii:v1:<subjectId>:<generation>:<base64url(iv[12] | AES-256-GCM ciphertext | tag[16])>
 *
 * The plaintext is the JSON of the value (a string, or a whole object such as an address). The
 * AAD is `pii:v1:<subjectId>:<generation>\n<event id>\n<JSON Pointer of the field>`, so a
 * ciphertext copied into another event or another field fails authentication.
 *
 * **Reading** walks every string of the payload: whatever has the ciphertext shape is decrypted,
 * wherever it sits (the marks of the current schema are not needed, so an event written under an
 * older schema version still decodes before it is upcast). A value whose key is gone decodes to
 * {@link ERASED}, never an error, so replays keep working after an erasure. A tampered or moved
 * ciphertext, or a key that does not match, raises {@link IntegrityError}: nothing is ever decoded
 * silently.
 *
 * **The subject** of an event is the value at its contract's subject path (`$.customerId`), or
 * else, for a stream of a single-subject category (`booking-…`), the subject that stream is linked
 * to. An event with personal values and no subject is refused ({@link PersonalDataError}).
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

export const CIPHERTEXT_PREFIX = 'pii:v1:';
const CIPHERTEXT_PATTERN = /^pii:v1:([a-z0-9]+(?:-[a-z0-9]+)*):([1-9][0-9]{0,8}):([A-Za-z0-9_-]+)$/;
const VERSIONED = /^pii:v[0-9]+:/;

export interface Ciphertext {
  readonly subjectId: string;
  readonly generation: number;
  readonly sealed: Buffer;
}

/** Whether a value has the ciphertext shape (it may still fail to decrypt). */
export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && CIPHERTEXT_PATTERN.test(value);
}

/** Parses a `pii:v…` string; throws {@link IntegrityError} when it is malformed or of an unknown version. */
export function parseCiphertext(text: string, where = 'ciphertext'): Ciphertext {
  const match = CIPHERTEXT_PATTERN.exec(text);
  if (!match) {
    const version = VERSIONED.exec(text)?.[0];
    throw new IntegrityError(
      version && version !== CIPHERTEXT_PREFIX
        ? `${where}: unsupported ciphertext version ${version.slice(5, -1)}`
        : `${where}: malformed ciphertext`,
    );
  }
  return { subjectId: match[1]!, generation: Number(match[2]), sealed: Buffer.from(match[3]!, 'base64url') };
}

function fieldAad(subjectId: string, generation: number, eventId: string, pointer: string): Buffer {
  return Buffer.from(`${CIPHERTEXT_PREFIX}${subjectId}:${generation}\n${eventId}\n${pointer}`, 'utf8');
}

/** Encrypts one field value (any JSON value) for an event id and JSON Pointer. */
export function encryptField(key: DataKey, eventId: string, pointer: string, value: unknown): string {
  const sealed = seal(
    key.key,
    Buffer.from(JSON.stringify(value), 'utf8'),
    fieldAad(key.subjectId, key.generation, eventId, pointer),
  );
  return `${CIPHERTEXT_PREFIX}${key.subjectId}:${key.generation}:${sealed.toString('base64url')}`;
}

/** Decrypts one field; `key` null (destroyed) gives {@link ERASED}. */
export function decryptField(
  key: DataKey | null,
  eventId: string,
  pointer: string,
  ciphertext: Ciphertext,
  where: string,
): unknown {
  if (key === null) return ERASED;
  if (key.subjectId !== ciphertext.subjectId || key.generation !== ciphertext.generation) {
    throw new IntegrityError(
      `${where}: key of ${key.subjectId}/${key.generation} offered for another subject`,
    );
  }
  const plain = open(
    key.key,
    ciphertext.sealed,
    fieldAad(ciphertext.subjectId, ciphertext.generation, eventId, pointer),
    where,
  );
  return JSON.parse(plain.toString('utf8'));
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

/** The personal paths and subject path of an event type, compiled once. */
interface TypePlan {
  readonly paths: readonly CompiledPath[];
  readonly subjectPath: string | undefined;
}

interface CompiledPath {
  readonly path: string;
  readonly steps: readonly Step[];
  /** Property names when the path has no wildcard (every path of today's catalogue): the fast path. */
  readonly names: readonly string[] | null;
  /** JSON Pointer of a wildcard-free path. */
  readonly pointer: string;
}

const NO_PLAN: TypePlan = { paths: [], subjectPath: undefined };
const typePlans = new Map<string, TypePlan>();

function planOf(type: string): TypePlan {
  let plan = typePlans.get(type);
  if (plan) return plan;
  if (!isDomainEventType(type)) return NO_PLAN;
  plan = {
    subjectPath: subjectPathOf(type),
    paths: personalFieldPaths(type).map((path) => {
      const steps = stepsOf(path);
      const names = steps.every((step) => step.kind === 'property')
        ? steps.map((step) => (step.kind === 'property' ? step.name : ''))
        : null;
      return { path, steps, names, pointer: names ? names.map((n) => `/${escapePointer(n)}`).join('') : '' };
    }),
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

function encryptLocation(
  event: EventToAppend,
  key: DataKey,
  parent: Container,
  leaf: string | number,
  pointer: string,
) {
  const value = getChild(parent, leaf);
  if (value === null || value === undefined) return;
  if (typeof value === 'string' && VERSIONED.test(value)) {
    throw new PersonalDataError(
      'already_encrypted',
      `${event.type} ${event.id}: ${pointer} already holds a ciphertext; append plain values`,
    );
  }
  setChild(parent, leaf, encryptField(key, event.id, pointer, value));
}

/**
 * Copies the objects on the way to a wildcard-free path's leaf (once each: `copied` holds the
 * copies made) and returns the leaf's parent in the copy, or undefined when the path is absent.
 */
function copyOnWritePath(
  root: Record<string, unknown>,
  names: readonly string[],
  copied: Set<object>,
): Record<string, unknown> | undefined {
  let node = root;
  for (let i = 0; i < names.length - 1; i++) {
    const name = names[i] ?? '';
    const child = node[name];
    if (!isRecord(child)) return undefined;
    if (copied.has(child)) node = child;
    else {
      const copy = { ...child };
      copied.add(copy);
      node[name] = copy;
      node = copy;
    }
  }
  return node;
}

function encryptEvent(event: EventToAppend, paths: readonly CompiledPath[], key: DataKey): EventToAppend {
  if (paths.every((compiled) => compiled.names !== null)) {
    // Wildcard-free paths (today's whole catalogue): copy only the objects on the way.
    const data: Record<string, unknown> = { ...event.data };
    const copied = new Set<object>([data]);
    for (const { names, pointer } of paths) {
      if (!names) continue;
      const parent = copyOnWritePath(data, names, copied);
      if (parent) encryptLocation(event, key, parent, names[names.length - 1] ?? '', pointer);
    }
    return { ...event, data };
  }
  const data = cloneData(event.data);
  for (const compiled of paths) {
    if (compiled.names) {
      const parent = parentAt(data, compiled.names);
      if (parent)
        encryptLocation(
          event,
          key,
          parent,
          compiled.names[compiled.names.length - 1] ?? '',
          compiled.pointer,
        );
    } else {
      forEachLocation(data, compiled.steps, 0, '', (parent, leaf, pointer) =>
        encryptLocation(event, key, parent, leaf, pointer),
      );
    }
  }
  return { ...event, data };
}

interface Plan {
  readonly event: EventToAppend;
  readonly subjectId: string | undefined;
  readonly paths: readonly CompiledPath[];
}

export function createPersonalDataCodec(
  vault: Vault,
  options: PersonalDataCodecOptions = {},
): PersonalDataCodec {
  const kindOf = options.kindOf ?? retentionKindOf;

  async function encode(stream: string, events: readonly EventToAppend[]): Promise<readonly EventToAppend[]> {
    const category = stream.slice(0, Math.max(0, stream.indexOf('-')));
    const singleSubject = (SINGLE_SUBJECT_STREAM_CATEGORIES as readonly string[]).includes(category);
    let linked: readonly string[] | undefined;
    let batchSubject: string | undefined;
    const plans: Plan[] = [];
    const activity: SubjectActivity[] = [];
    const at = vault.clock();

    for (const event of events) {
      const plan = planOf(event.type);
      const withValues = plan.paths.filter((compiled) => hasValue(event.data, compiled));
      let subjectId: string | undefined;
      if (plan.subjectPath !== undefined) {
        const named = valueAt(event.data, plan.subjectPath);
        if (typeof named === 'string' && isEntityId(named)) subjectId = named;
        else if (withValues.length > 0) {
          throw new PersonalDataError(
            'invalid_data_subject',
            `${event.type} ${event.id}: ${plan.subjectPath} must name the data subject (an entity id), got ${JSON.stringify(named)}`,
          );
        }
      }
      if (subjectId === undefined && singleSubject) {
        if (batchSubject !== undefined) subjectId = batchSubject;
        else {
          linked ??= await vault.subjectsOfStream(stream);
          if (linked.length === 1) subjectId = linked[0];
          else if (linked.length > 1 && withValues.length > 0) {
            throw new PersonalDataError(
              'ambiguous_data_subject',
              `${event.type} ${event.id}: stream ${stream} concerns ${linked.length} subjects; name the subject in the event`,
            );
          }
        }
      }
      if (withValues.length > 0 && subjectId === undefined) {
        throw new PersonalDataError(
          'no_data_subject',
          `${event.type} ${event.id}: personal fields (${withValues.map((c) => c.path).join(', ')}) but no data subject: the event names none and stream ${stream} is linked to none`,
        );
      }
      if (subjectId !== undefined) {
        if (singleSubject) batchSubject ??= subjectId;
        activity.push({ subjectId, streamName: stream, kind: kindOf(event.type, stream), at });
      }
      plans.push({ event, subjectId, paths: withValues });
    }

    // The common case waits for nothing: keys cached, activity already recorded today.
    const keyOf = new Map<string, DataKey>();
    const pending: Promise<unknown>[] = [];
    const recording = vault.recordActivity(activity);
    if (recording) pending.push(recording);
    for (const { subjectId, paths } of plans) {
      if (subjectId === undefined || paths.length === 0 || keyOf.has(subjectId)) continue;
      const cached = vault.cachedEncryptionKey(subjectId);
      if (cached) keyOf.set(subjectId, cached);
      else pending.push(vault.encryptionKey(subjectId).then((key) => keyOf.set(subjectId, key)));
    }
    if (pending.length > 0) await Promise.all(pending);

    return plans.map(({ event, subjectId, paths }) => {
      const key = subjectId === undefined ? undefined : keyOf.get(subjectId);
      return paths.length === 0 || key === undefined ? event : encryptEvent(event, paths, key);
    });
  }

  async function decode(
    events: readonly RecordedEvent[],
    decodeOptions: DecodeOptions = {},
  ): Promise<readonly RecordedEvent[]> {
    const only = decodeOptions.onlySubject;
    interface Found {
      readonly keys: readonly (string | number)[];
      readonly pointer: string;
      readonly ciphertext: Ciphertext;
    }
    const found = new Map<number, Found[]>();
    const wanted = new Map<string, { subjectId: string; generation: number }>();
    events.forEach((event, index) => {
      const list: Found[] = [];
      const walk = (node: unknown, keys: (string | number)[], pointer: string) => {
        if (typeof node === 'string') {
          if (!VERSIONED.test(node)) return;
          const ciphertext = parseCiphertext(node, where(event, pointer));
          list.push({ keys: [...keys], pointer, ciphertext });
          if (only !== undefined && ciphertext.subjectId !== only) return;
          wanted.set(`${ciphertext.subjectId}:${ciphertext.generation}`, ciphertext);
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
      if (list.length > 0) found.set(index, list);
    });
    if (found.size === 0) return events;

    const resolved = await Promise.all(
      [...wanted.entries()].map(
        async ([id, { subjectId, generation }]) =>
          [id, await vault.decryptionKey(subjectId, generation)] as const,
      ),
    );
    const keyOf = new Map(resolved);

    return events.map((event, index) => {
      const list = found.get(index);
      if (!list) return event;
      const data = cloneData(event.data);
      for (const { keys, pointer, ciphertext } of list) {
        let parent: unknown = data;
        for (const key of keys.slice(0, -1)) parent = getChild(parent as Container, key);
        const leaf = keys[keys.length - 1] ?? '';
        if (only !== undefined && ciphertext.subjectId !== only) {
          setChild(parent as Container, leaf, WITHHELD);
          continue;
        }
        const key = keyOf.get(`${ciphertext.subjectId}:${ciphertext.generation}`) ?? null;
        setChild(
          parent as Container,
          leaf,
          decryptField(key, event.id, pointer, ciphertext, where(event, pointer)),
        );
      }
      return { ...event, data };
    });
  }

  return { encode, decode };
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
  const codec = createPersonalDataCodec(vault, options);
  const decorated: Ledger = {
    kind: ledger.kind,
    append: async (stream, events, expected) =>
      ledger.append(stream, await codec.encode(stream, events), expected),
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
