import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Payzen (Lyra) REST V4 wire shapes, shared by the adapter and the local simulator so both speak
 * exactly the same format (reference/domain-ct.md, "Provider APIs").
 *
 * - `POST {base}/api-payment/V4/Charge/CreatePayment`, HTTP Basic `shopId:password`, JSON
 *   `{ amount, currency, orderId, customer: { email }, ipnTargetUrl? }` → `answer.formToken`.
 * - Outcome by IPN (server to server) and by browser return: a form POST with `kr-hash`,
 *   `kr-hash-algorithm=sha256_hmac`, `kr-hash-key` (`password` for the IPN, `sha256_hmac` for the
 *   browser return), `kr-answer-type` and `kr-answer` (the JSON of a `V4/Payment`). `kr-hash` is the
 *   hex HMAC-SHA256 of the raw `kr-answer` string keyed with the REST password (IPN) or the HMAC key
 *   (browser return).
 * - `POST {base}/api-payment/V4/Transaction/CancelOrRefund` `{ uuid, amount, currency }` refunds.
 */

export const CREATE_PAYMENT_PATH = '/api-payment/V4/Charge/CreatePayment';
export const CANCEL_OR_REFUND_PATH = '/api-payment/V4/Transaction/CancelOrRefund';
export const HASH_ALGORITHM = 'sha256_hmac';
export const ANSWER_TYPE = 'V4/Payment';

/** Which secret keyed a `kr-hash`: the REST password (IPN) or the HMAC key (browser return). */
export type KrHashKey = 'password' | 'sha256_hmac';

export const CreatePaymentRequest = Type.Object({
  amount: Type.Integer({ minimum: 1 }),
  currency: Type.Literal('EUR'),
  orderId: Type.String({ minLength: 1, maxLength: 64 }),
  customer: Type.Object({
    email: Type.String({ minLength: 3, maxLength: 254 }),
    reference: Type.Optional(Type.String({ maxLength: 80 })),
  }),
  ipnTargetUrl: Type.Optional(Type.String({ maxLength: 1024 })),
  formAction: Type.Optional(Type.String()),
});
export type CreatePaymentRequest = Static<typeof CreatePaymentRequest>;

export const RefundRequest = Type.Object({
  uuid: Type.String({ minLength: 1 }),
  amount: Type.Integer({ minimum: 1 }),
  currency: Type.Literal('EUR'),
});
export type RefundRequest = Static<typeof RefundRequest>;

/** The envelope of every REST V4 answer. */
export const WebServiceResponse = Type.Object({
  webService: Type.String(),
  version: Type.Literal('V4'),
  status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('ERROR')]),
  answer: Type.Record(Type.String(), Type.Unknown()),
});
export type WebServiceResponse = Static<typeof WebServiceResponse>;

export const PaymentTransaction = Type.Object({
  uuid: Type.String({ minLength: 1 }),
  amount: Type.Integer(),
  currency: Type.String(),
  status: Type.String(),
  detailedStatus: Type.Optional(Type.String()),
  operationType: Type.Optional(Type.String()),
});
export type PaymentTransaction = Static<typeof PaymentTransaction>;

/** `kr-answer` (`V4/Payment`), the fields this platform reads. */
export const PaymentAnswer = Type.Object({
  shopId: Type.String(),
  orderStatus: Type.String(),
  orderCycle: Type.Optional(Type.String()),
  orderDetails: Type.Object({
    orderId: Type.String({ minLength: 1 }),
    orderTotalAmount: Type.Integer(),
    orderCurrency: Type.String(),
  }),
  transactions: Type.Array(PaymentTransaction),
});
export type PaymentAnswer = Static<typeof PaymentAnswer>;

export function isPaymentAnswer(value: unknown): value is PaymentAnswer {
  return Value.Check(PaymentAnswer, value);
}

export function isWebServiceResponse(value: unknown): value is WebServiceResponse {
  return Value.Check(WebServiceResponse, value);
}

/** `kr-hash` of a raw `kr-answer`. */
export function krHash(krAnswer: string, secret: string): string {
  return createHmac('sha256', secret).update(krAnswer, 'utf8').digest('hex');
}

/** Constant-time comparison of a received `kr-hash` with the expected one. */
export function krHashMatches(krAnswer: string, received: string, secret: string): boolean {
  const expected = Buffer.from(krHash(krAnswer, secret), 'utf8');
  const actual = Buffer.from(received.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch is itself a mismatch.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The form fields of an IPN or a browser return for an answer, signed with `secret`. */
export function signedAnswerFields(
  answer: PaymentAnswer,
  key: KrHashKey,
  secret: string,
): Record<string, string> {
  const raw = JSON.stringify(answer);
  return {
    'kr-hash': krHash(raw, secret),
    'kr-hash-algorithm': HASH_ALGORITHM,
    'kr-hash-key': key,
    'kr-answer-type': ANSWER_TYPE,
    'kr-answer': raw,
  };
}

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Reads `Basic base64(user:password)`; `undefined` when absent or malformed. */
export function parseBasicAuthorization(
  header: string | undefined,
): { readonly user: string; readonly password: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Constant-time equality of two secrets of any length. */
export function secretEquals(a: string, b: string): boolean {
  const left = createHmac('sha256', 'pti-compare').update(a).digest();
  const right = createHmac('sha256', 'pti-compare').update(b).digest();
  return timingSafeEqual(left, right);
}
