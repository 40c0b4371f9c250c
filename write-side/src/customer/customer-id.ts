import { createHmac } from 'node:crypto';

/**
 * The customer id: the data subject of a booking's personal data (the personal-data vault encrypts a
 * booking's customer fields with this subject's key, and erasing the subject shreds them all).
 *
 * There are no customer accounts to take an id from, so it is derived, per tenant, from what
 * identifies the customer:
 * - a private customer: the normalised e-mail (trimmed, lower case), so one person's bookings,
 *   made on the web, by phone or at the counter, share one subject and one erasure covers them;
 * - a company: its SIRET (one establishment, whoever books for it).
 *
 * id = uuid-shaped HMAC-SHA256(secret, `pti-customer-id.v1|<kind>|<tenantId>|<value>`). The secret
 * (`PTI_CUSTOMER_ID_SECRET`) keeps the id from being recomputed from an e-mail address by anyone
 * reading the ledger (metadata and events are not encrypted), and the tenant keeps two networks'
 * subjects apart. The id is stable for as long as the secret is: it must never rotate.
 */
export type CustomerIdentity =
  | { readonly kind: 'private'; readonly email: string }
  | { readonly kind: 'company'; readonly siret: string };

/** `identity` holds normalised values (`normaliseEmail`, `normaliseSiret`): spelling must not matter. */
export function deriveCustomerId(secret: Uint8Array, tenantId: string, customer: CustomerIdentity): string {
  const value = customer.kind === 'private' ? customer.email : customer.siret;
  const digest = createHmac('sha256', secret)
    .update(`pti-customer-id.v1|${customer.kind}|${tenantId}|${value}`)
    .digest('hex');
  // Version-5-like layout: a valid lower-case uuid, hence a valid entity id.
  const variant = ((Number.parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${variant}${digest.slice(18, 20)}-${digest.slice(20, 32)}`;
}
