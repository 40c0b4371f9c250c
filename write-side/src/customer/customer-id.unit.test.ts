import { isEntityId } from '@pti/events';
import { describe, expect, it } from 'vitest';
import { deriveCustomerId } from './customer-id.js';

const secret = new Uint8Array(32).fill(7);

describe('deriveCustomerId', () => {
  it('is a stable entity id per tenant and normalised e-mail', () => {
    const id = deriveCustomerId(secret, 'tenant-a', { kind: 'private', email: 'camille@example.fr' });
    expect(isEntityId(id)).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveCustomerId(secret, 'tenant-a', { kind: 'private', email: 'camille@example.fr' })).toBe(id);
  });

  it('separates tenants, kinds, people and secrets', () => {
    const id = deriveCustomerId(secret, 'tenant-a', { kind: 'private', email: 'camille@example.fr' });
    expect(deriveCustomerId(secret, 'tenant-b', { kind: 'private', email: 'camille@example.fr' })).not.toBe(
      id,
    );
    expect(deriveCustomerId(secret, 'tenant-a', { kind: 'private', email: 'other@example.fr' })).not.toBe(id);
    expect(
      deriveCustomerId(new Uint8Array(32).fill(8), 'tenant-a', {
        kind: 'private',
        email: 'camille@example.fr',
      }),
    ).not.toBe(id);
    expect(deriveCustomerId(secret, 'tenant-a', { kind: 'company', siret: '73282932000074' })).not.toBe(
      deriveCustomerId(secret, 'tenant-a', { kind: 'private', email: '73282932000074' }),
    );
  });
});
