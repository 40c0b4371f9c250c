import type { PaymentFailureReason, PaymentProvider as PaymentProviderName } from '@pti/events';

/**
 * One port for every online payment provider (DESIGN.md §7): Payzen (REST V4) and Lemonway
 * adapters implement it; the local simulator speaks Payzen's wire format, so in embedded mode the
 * Payzen adapter itself runs against it.
 */
export interface PaymentOrder {
  /** Our payment id, sent as the provider's order id / reference (unique per attempt). */
  readonly paymentId: string;
  readonly bookingId: string;
  readonly amountCents: number;
  readonly currency: 'EUR';
  readonly customerEmail: string;
  /** Human booking reference, shown on the provider's page when it has a field for it. */
  readonly reference?: string;
  /** Where the customer's browser goes back to after paying (success or not). */
  readonly returnUrl: string;
}

/** What the client needs to take the customer to the payment page. */
export interface PaymentSession {
  readonly provider: PaymentProviderName;
  readonly paymentId: string;
  /** Payzen's form token (embedded JS form, or the simulator's hosted page). */
  readonly formToken: string | null;
  /** A page to send the browser to, when the provider hosts one. */
  readonly redirectUrl: string | null;
  /** The provider's own id of the attempt (Lemonway money-in id), when it has one at creation. */
  readonly providerReference: string | null;
}

/** A notification as the HTTP layer received it: form or JSON fields, and where it came in. */
export interface RawNotification {
  readonly fields: Readonly<Record<string, string>>;
  /** `ipn`: server-to-server; `browser_return`: the customer's browser posting back. */
  readonly channel: 'ipn' | 'browser_return';
}

export type PaymentStatus = 'paid' | 'failed' | 'pending';

export type VerifiedNotification =
  | { readonly valid: false; readonly reason: string }
  | {
      readonly valid: true;
      readonly orderId: string;
      readonly status: PaymentStatus;
      /** Why it failed, when `status` is `failed`. */
      readonly failureReason: PaymentFailureReason | null;
      /** The provider's transaction id (Payzen transaction uuid, Lemonway money-in id). */
      readonly transactionId: string | null;
      /** Amount the provider reports, in cents. */
      readonly amountCents: number | null;
      /**
       * Identity of this outcome: the same payment outcome told twice (a replayed IPN, the IPN
       * and the browser return) has the same key and is applied once.
       */
      readonly dedupeKey: string;
    };

export interface RefundRequest {
  readonly paymentId: string;
  readonly transactionId: string;
  readonly amountCents: number;
}

export interface PaymentProvider {
  /** Recorded in `PaymentRequested`/`PaymentSucceeded` (`simulator` for the embedded simulator). */
  readonly name: PaymentProviderName;
  createPayment(order: PaymentOrder): Promise<PaymentSession>;
  /**
   * Authenticates a notification and reads its outcome. Never trusts an unsigned field: Payzen's
   * are checked by HMAC; Lemonway's carry no signature, so the transaction is read back from its
   * API and only that answer is believed.
   */
  verifyNotification(notification: RawNotification): Promise<VerifiedNotification>;
  refund(request: RefundRequest): Promise<{ readonly refundId: string }>;
}

/** A provider answered with an error the request will not recover from by being repeated. */
export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
  constructor(
    message: string,
    readonly code: string,
    /** Whether retrying may succeed (network failure, 5xx) or not (4xx, refused). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** A timeout signal for one provider call. */
export function requestTimeout(ms: number): AbortSignal {
  return AbortSignal.timeout(ms);
}
