import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntegrityError, IV_BYTES, open, seal, sealToBase64url, TAG_BYTES } from './aes-gcm.js';

/** The append path's sealing (scratch buffers, pooled IVs) gives what `open` reads, whatever the sizes. */
describe('AES-256-GCM sealing', () => {
  const key = randomBytes(32);

  it('seals to base64url what open reads back, bound to its AAD, with a fresh IV each time', () => {
    const aad = 'pii:v2:c-1:1\n["/customer/name"]\névénement-1';
    const plaintext = JSON.stringify(['Élodie Girard', 'flotte@example.fr']);
    const first = Buffer.from(sealToBase64url(key, plaintext, aad), 'base64url');
    const second = Buffer.from(sealToBase64url(key, plaintext, aad), 'base64url');
    expect(first.length).toBe(IV_BYTES + Buffer.byteLength(plaintext) + TAG_BYTES);
    expect(first.subarray(0, IV_BYTES).equals(second.subarray(0, IV_BYTES))).toBe(false);
    expect(open(key, first, aad, 'test').toString('utf8')).toBe(plaintext);
    expect(open(key, first, Buffer.from(aad, 'utf8'), 'test').toString('utf8')).toBe(plaintext);
    expect(() => open(key, first, `${aad}x`, 'test')).toThrow(IntegrityError);
    expect(() => open(randomBytes(32), first, aad, 'test')).toThrow(IntegrityError);
  });

  it('handles a plaintext and an AAD larger than the scratch buffers', () => {
    const plaintext = 'é'.repeat(20_000);
    const aad = `pii:v2:c-1:1\n${JSON.stringify(['/notes'])}\n${'x'.repeat(5_000)}`;
    const sealed = Buffer.from(sealToBase64url(key, plaintext, aad), 'base64url');
    expect(open(key, sealed, aad, 'test').toString('utf8')).toBe(plaintext);
    expect(open(key, seal(key, plaintext, aad), aad, 'test').toString('utf8')).toBe(plaintext);
  });

  it('keeps every value of interleaved seals apart (scratch reuse)', () => {
    const sealed = Array.from({ length: 50 }, (_, i) => ({
      aad: `aad-${i}`,
      text: `valeur ${i} ${'z'.repeat(i * 7)}`,
      b64: sealToBase64url(key, `valeur ${i} ${'z'.repeat(i * 7)}`, `aad-${i}`),
    }));
    for (const { aad, text, b64 } of sealed)
      expect(open(key, Buffer.from(b64, 'base64url'), aad, 'test').toString('utf8')).toBe(text);
  });
});
