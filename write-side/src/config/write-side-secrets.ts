import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MANAGE_TOKEN_MIN_SECRET_BYTES } from '../domain/booking/manage-token.js';

/**
 * The write side's secrets, filled by the composition root:
 *
 * | secret            | variable (services mode)   | what it keys                                                 |
 * | ----------------- | -------------------------- | ------------------------------------------------------------ |
 * | manage tokens     | `PTI_MANAGE_TOKEN_SECRETS` | HMAC of the "manage my booking" links and of waitlist tokens  |
 * | customer ids      | `PTI_CUSTOMER_ID_SECRET`   | HMAC deriving a private customer's id from their e-mail       |
 *
 * Each is base64 of at least 32 bytes. `PTI_MANAGE_TOKEN_SECRETS` is a comma-separated list: the
 * first signs, all verify, so a rotated secret keeps the links already mailed valid. The customer-id
 * secret never rotates: changing it would give every returning customer a new data subject.
 * In embedded mode both are generated on first start and kept under the data dir (0600), like the
 * embedded issuer's key, so links and customer ids survive a restart.
 */
export interface WriteSideSecrets {
  /** The first signs new tokens; every one verifies. */
  readonly manageTokenSecrets: readonly Uint8Array[];
  readonly customerIdSecret: Uint8Array;
}

export const MANAGE_TOKEN_SECRETS_VARIABLE = 'PTI_MANAGE_TOKEN_SECRETS';
export const CUSTOMER_ID_SECRET_VARIABLE = 'PTI_CUSTOMER_ID_SECRET';

export class WriteSideSecretsError extends Error {
  override readonly name = 'WriteSideSecretsError';
}

function decodeSecret(name: string, value: string): Uint8Array {
  const trimmed = value.trim();
  // Buffer.from skips characters outside the alphabet, so the alphabet is checked first.
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (bytes.length < MANAGE_TOKEN_MIN_SECRET_BYTES) {
    throw new WriteSideSecretsError(
      `${name}: expected base64 of at least ${MANAGE_TOKEN_MIN_SECRET_BYTES} bytes, got a value of ${trimmed.length} characters`,
    );
  }
  return new Uint8Array(bytes);
}

/** Secrets from their configuration values (base64; the manage-token list comma-separated). */
export function writeSideSecretsFromValues(values: {
  readonly manageTokenSecrets: string;
  readonly customerIdSecret: string;
}): WriteSideSecrets {
  const manage = values.manageTokenSecrets
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (manage.length === 0) throw new WriteSideSecretsError(`${MANAGE_TOKEN_SECRETS_VARIABLE}: empty`);
  return {
    manageTokenSecrets: manage.map((part) => decodeSecret(MANAGE_TOKEN_SECRETS_VARIABLE, part)),
    customerIdSecret: decodeSecret(CUSTOMER_ID_SECRET_VARIABLE, values.customerIdSecret),
  };
}

/** Fresh random secrets (tests, in-memory data dirs). */
export function generateWriteSideSecrets(): WriteSideSecrets {
  return {
    manageTokenSecrets: [new Uint8Array(randomBytes(32))],
    customerIdSecret: new Uint8Array(randomBytes(32)),
  };
}

/** A key for another purpose derived from a secret, so one configured secret serves several MACs. */
export function deriveKey(secret: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(`pti-derived-key.${purpose}`).digest());
}

/** Where embedded mode keeps the secrets under a data dir. */
export function embeddedSecretsFile(dataDir: string): string {
  return join(dataDir, 'write-side', 'secrets.json');
}

interface StoredSecrets {
  readonly manageTokenSecret: string;
  readonly customerIdSecret: string;
}

function parseStored(file: string, text: string): WriteSideSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WriteSideSecretsError(`${file} is not JSON: delete it to generate new secrets`);
  }
  const { manageTokenSecret, customerIdSecret } =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Partial<Record<keyof StoredSecrets, unknown>>)
      : {};
  if (typeof manageTokenSecret !== 'string' || typeof customerIdSecret !== 'string') {
    throw new WriteSideSecretsError(`${file} lacks its secrets: delete it to generate new ones`);
  }
  return writeSideSecretsFromValues({ manageTokenSecrets: manageTokenSecret, customerIdSecret });
}

async function readStored(file: string): Promise<WriteSideSecrets | null> {
  try {
    return parseStored(file, await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Embedded mode: the secrets kept in `file`, generated and written there (mode 0600) on first start.
 * Written aside then linked into place, so a crash never leaves half a file and of two processes
 * starting together the second adopts the first one's secrets.
 */
export async function loadOrCreateEmbeddedSecrets(file: string): Promise<WriteSideSecrets> {
  const existing = await readStored(file);
  if (existing) return existing;
  const fresh: StoredSecrets = {
    manageTokenSecret: randomBytes(32).toString('base64'),
    customerIdSecret: randomBytes(32).toString('base64'),
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(fresh)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }
  const stored = await readStored(file);
  if (!stored) throw new WriteSideSecretsError(`${file} vanished while starting`);
  return stored;
}
