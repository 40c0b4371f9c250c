import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';

/**
 * AES-256-GCM with `node:crypto`: a 12-byte random IV and a 16-byte tag, sealed as one buffer
 * `iv | ciphertext | tag`. The additional authenticated data (AAD) binds a ciphertext to its
 * context (a subject's wrapped key to that subject; a field to its event and path), so moving it
 * elsewhere fails the tag check like tampering does.
 */

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

/** The GCM tag did not verify: the ciphertext, its context or the key is not the one it was sealed with. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
  readonly code = 'personal_data_integrity';
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

// IVs are drawn from the CSPRNG a pool at a time: one system call per 1,024 IVs instead of one each
// (a random 96-bit IV per encryption, as before; a slice is never handed out twice).
const IV_POOL_SIZE = IV_BYTES * 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = IV_POOL_SIZE;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomFillSync(Buffer.allocUnsafe(IV_POOL_SIZE));
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/** Seals `plaintext` (bytes, or a string taken as UTF-8) as `iv | ciphertext | tag`. */
export function seal(key: Buffer, plaintext: Buffer | string, aad: Buffer): Buffer {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  // GCM is a stream mode: update() returns as many bytes as it was given and final() none.
  const body = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  const sealed = Buffer.allocUnsafe(IV_BYTES + body.length + TAG_BYTES);
  iv.copy(sealed, 0);
  body.copy(sealed, IV_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(sealed, IV_BYTES + body.length);
  return sealed;
}

/** Opens a sealed buffer; throws {@link IntegrityError} (with `what` in the message) when the tag fails. */
export function open(key: Buffer, sealed: Buffer, aad: Buffer, what: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new IntegrityError(`${what}: ciphertext too short`);
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new IntegrityError(
      `${what}: authentication failed (tampered ciphertext, moved ciphertext or wrong key)`,
      { cause },
    );
  }
}
