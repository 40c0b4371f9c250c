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

// IVs are drawn from the CSPRNG a pool at a time: one system call per 1,024 IVs instead of one each.
// Each IV is still a fresh random 96 bits (bytes of the pool are never handed out twice), as NIST
// SP 800-38D §8.2.2 allows for up to 2^32 encryptions per key — far more than one data subject's
// events. A counter would need its state kept per key across processes; random IVs need none.
const IV_POOL_SIZE = IV_BYTES * 1024;
const ivPool = Buffer.allocUnsafe(IV_POOL_SIZE);
let ivOffset = IV_POOL_SIZE;

/** Copies the next random IV into `target` at `at`. */
function takeIv(target: Uint8Array, at: number): void {
  if (ivOffset + IV_BYTES > IV_POOL_SIZE) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  for (let i = 0; i < IV_BYTES; i++) target[at + i] = ivPool[ivOffset + i] ?? 0;
  ivOffset += IV_BYTES;
}

// Scratch space of the append path, so sealing allocates no Buffer of its own: string AADs are
// encoded into `aadScratch` (`setAAD` feeds them to GHASH at once and keeps no reference), and
// `iv | ciphertext | tag` is assembled in `sealScratch` before its base64url string is taken. Both
// are overwritten by the next call: nothing of them outlives a (synchronous) call.
const aadScratch = Buffer.allocUnsafe(4096);
const sealScratch = Buffer.allocUnsafe(16_384);

/** `aad` as bytes (a string is taken as UTF-8); valid until the next call. */
function aadBytes(aad: Buffer | string): Uint8Array {
  if (typeof aad !== 'string') return aad;
  // Up to 3 bytes per UTF-16 unit: a string that short always fits (no truncation to detect).
  if (aad.length * 3 > aadScratch.length) return Buffer.from(aad, 'utf8');
  const length = aadScratch.write(aad, 0, 'utf8');
  return new Uint8Array(aadScratch.buffer, aadScratch.byteOffset, length);
}

/** Seals `plaintext` (bytes, or a string taken as UTF-8) as `iv | ciphertext | tag`; a string `aad` is taken as UTF-8. */
export function seal(key: Buffer, plaintext: Buffer | string, aad: Buffer | string): Buffer {
  const iv = Buffer.allocUnsafe(IV_BYTES);
  takeIv(iv, 0);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(aad));
  // GCM is a stream mode: update() returns as many bytes as it was given and final() none.
  const body = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([iv, body, cipher.getAuthTag()], IV_BYTES + body.length + TAG_BYTES);
}

/**
 * {@link seal} of a UTF-8 string, returned as the base64url of `iv | ciphertext | tag` (the same
 * bytes): the append path's form, with no intermediate Buffer.
 */
export function sealToBase64url(key: Buffer, plaintext: string, aad: string): string {
  if (plaintext.length * 3 + IV_BYTES + TAG_BYTES > sealScratch.length)
    return seal(key, plaintext, aad).toString('base64url');
  takeIv(sealScratch, 0);
  const cipher = createCipheriv(
    'aes-256-gcm',
    key,
    new Uint8Array(sealScratch.buffer, sealScratch.byteOffset, IV_BYTES),
    { authTagLength: TAG_BYTES },
  );
  cipher.setAAD(aadBytes(aad));
  const body = cipher.update(plaintext, 'utf8');
  cipher.final();
  sealScratch.set(body, IV_BYTES);
  sealScratch.set(cipher.getAuthTag(), IV_BYTES + body.length);
  return sealScratch.toString('base64url', 0, IV_BYTES + body.length + TAG_BYTES);
}

/** Opens a sealed buffer; throws {@link IntegrityError} (with `what` in the message) when the tag fails. */
export function open(key: Buffer, sealed: Buffer, aad: Buffer | string, what: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new IntegrityError(`${what}: ciphertext too short`);
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadBytes(aad));
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
