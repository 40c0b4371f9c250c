import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MEMORY_DATA_DIR } from '../config/config.js';
import { KEY_BYTES } from './aes-gcm.js';

/**
 * The master key wraps (encrypts) every subject's data key. It comes from `PII_MASTER_KEY` (base64
 * of 32 bytes); in embedded mode, when unset, one is generated once and kept in
 * `<dataDir>/pii-master.key` (mode 0600), or in memory for a `memory://` data directory.
 *
 * Its id is a fingerprint of the key itself (16 hex characters of a SHA-256), stored beside each
 * wrapped data key: after a rotation the vault knows which master key wrapped what, and a vault
 * started with the wrong master key fails with a message naming both ids instead of garbage.
 */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

export const MASTER_KEY_FILE = 'pii-master.key';

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
  readonly code = 'invalid_master_key';
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('pti-pii-master-key\0').update(key).digest('hex').slice(0, 16);
}

export function masterKeyFromBytes(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES)
    throw new MasterKeyError(`a master key is ${KEY_BYTES} bytes, got ${key.length}`);
  return Object.freeze({ id: masterKeyId(key), key: Buffer.from(key) });
}

/** Parses base64 of exactly 32 bytes (the `PII_MASTER_KEY` format). */
export function masterKeyFromBase64(base64: string): MasterKey {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new MasterKeyError('a master key is base64 of 32 bytes');
  return masterKeyFromBytes(Buffer.from(text, 'base64'));
}

/** A fresh master key as `PII_MASTER_KEY` expects it. */
export function generateMasterKeyBase64(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export interface ResolveMasterKeyOptions {
  /** `config.pii.masterKey`: base64, or null/undefined when unset. */
  readonly masterKey?: string | null;
  /** `config.dataDir`: where an embedded key is kept when `masterKey` is unset. */
  readonly dataDir: string;
  /** Whether a key may be generated when unset and none is kept yet (default true; false in production). */
  readonly allowGenerated?: boolean;
}

export interface ResolvedMasterKey {
  readonly masterKey: MasterKey;
  /** `config`: PII_MASTER_KEY; `file`: read from the data dir; `generated`: just written there; `ephemeral`: memory data dir. */
  readonly source: 'config' | 'file' | 'generated' | 'ephemeral';
  /** The key file, for `file` and `generated`. */
  readonly path?: string;
}

/** The configured master key, or the embedded one (read, or generated and kept with mode 0600). */
export async function resolveMasterKey(options: ResolveMasterKeyOptions): Promise<ResolvedMasterKey> {
  if (options.masterKey !== undefined && options.masterKey !== null && options.masterKey.trim() !== '') {
    return { masterKey: masterKeyFromBase64(options.masterKey), source: 'config' };
  }
  const required = () =>
    new MasterKeyError('PII_MASTER_KEY is required here (base64 of 32 bytes), and no embedded key exists');
  if (options.dataDir === MEMORY_DATA_DIR) {
    if (options.allowGenerated === false) throw required();
    return { masterKey: masterKeyFromBase64(generateMasterKeyBase64()), source: 'ephemeral' };
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return { masterKey: existing, source: 'file', path };
  if (options.allowGenerated === false) throw required();
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  try {
    // `wx`: two processes starting together cannot both write a key; the loser reads the winner's.
    await writeFile(path, `${generateMasterKeyBase64()}\n`, { mode: 0o600, flag: 'wx' });
    const written = await readKeyFile(path);
    if (!written) throw new MasterKeyError(`${path} vanished after it was written`);
    return { masterKey: written, source: 'generated', path };
  } catch (error) {
    if (isErrno(error, 'EEXIST')) {
      const raced = await readKeyFile(path);
      if (raced) return { masterKey: raced, source: 'file', path };
    }
    throw error;
  }
}

async function readKeyFile(path: string): Promise<MasterKey | null> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new MasterKeyError(
      `${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}): run chmod 600 on it`,
    );
  }
  try {
    return masterKeyFromBase64(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof MasterKeyError) throw new MasterKeyError(`${path}: ${error.message}`);
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
