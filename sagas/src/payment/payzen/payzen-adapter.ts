import type { PaymentFailureReason } from '@pti/events';
import {
  type PaymentOrder,
  type PaymentProvider,
  PaymentProviderError,
  type PaymentSession,
  type PaymentStatus,
  type RawNotification,
  type RefundRequest,
  requestTimeout,
  type VerifiedNotification,
} from '../payment-provider.js';
import {
  ANSWER_TYPE,
  basicAuthorization,
  CANCEL_OR_REFUND_PATH,
  CREATE_PAYMENT_PATH,
  type CreatePaymentRequest,
  HASH_ALGORITHM,
  isPaymentAnswer,
  isWebServiceResponse,
  krHashMatches,
  type PaymentAnswer,
  type PaymentTransaction,
  type RefundRequest as PayzenRefundRequest,
} from './payzen-wire.js';

export interface PayzenAdapterOptions {
  /** `https://api.payzen.eu`, or the simulator's mount point (`http://host/simulators/payzen`). */
  readonly baseUrl: string;
  readonly shopId: string;
  /** The REST API password: HTTP Basic password, and the key of IPN signatures. */
  readonly password: string;
  /** The HMAC-SHA-256 key: the key of browser-return signatures. */
  readonly hmacKey: string;
  /** Our IPN endpoint, sent with each payment as `ipnTargetUrl`. */
  readonly ipnUrl: string;
  /**
   * A hosted payment page taking `?formToken=&returnUrl=` (the simulator's). Without it the client
   * shows Payzen's embedded form with the form token and the shop's public key.
   */
  readonly hostedFormUrl?: string;
  /** Name recorded in the payment events: `simulator` when pointed at the local simulator. */
  readonly providerName?: 'payzen' | 'simulator';
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

function statusOf(orderStatus: string): PaymentStatus {
  if (orderStatus === 'PAID') return 'paid';
  if (orderStatus === 'UNPAID') return 'failed';
  return 'pending';
}

function failureOf(transaction: PaymentTransaction | undefined): PaymentFailureReason {
  switch (transaction?.detailedStatus) {
    case 'CANCELLED':
    case 'ABANDONED':
      return 'abandoned';
    case 'EXPIRED':
      return 'timeout';
    case 'ERROR':
      return 'provider_error';
    default:
      return 'declined';
  }
}

/** The transaction the outcome is about: the paid one, else the latest attempt. */
function transactionOf(answer: PaymentAnswer): PaymentTransaction | undefined {
  return answer.transactions.find((candidate) => candidate.status === 'PAID') ?? answer.transactions.at(-1);
}

/** The Payzen REST V4 adapter. */
export function createPayzenAdapter(options: PayzenAdapterOptions): PaymentProvider {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = options.providerName ?? 'payzen';

  async function call(
    path: string,
    body: CreatePaymentRequest | PayzenRefundRequest,
  ): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(options.shopId, options.password),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        signal: requestTimeout(timeoutMs),
      });
    } catch (error) {
      throw new PaymentProviderError(`Payzen unreachable: ${String(error)}`, 'NETWORK', true);
    }
    if (response.status >= 500) {
      throw new PaymentProviderError(
        `Payzen answered HTTP ${response.status}`,
        `HTTP_${response.status}`,
        true,
      );
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!isWebServiceResponse(json)) {
      throw new PaymentProviderError(
        `Payzen answered HTTP ${response.status} without a V4 response`,
        'BAD_RESPONSE',
        false,
      );
    }
    if (json.status !== 'SUCCESS') {
      const code = typeof json.answer.errorCode === 'string' ? json.answer.errorCode : 'ERROR';
      const message = typeof json.answer.errorMessage === 'string' ? json.answer.errorMessage : 'error';
      throw new PaymentProviderError(`Payzen ${json.webService}: ${code} ${message}`, code, false);
    }
    return json.answer;
  }

  return {
    name,
    async createPayment(order: PaymentOrder): Promise<PaymentSession> {
      const answer = await call(CREATE_PAYMENT_PATH, {
        amount: order.amountCents,
        currency: order.currency,
        orderId: order.paymentId,
        customer: { email: order.customerEmail, ...(order.reference ? { reference: order.reference } : {}) },
        ipnTargetUrl: options.ipnUrl,
        formAction: 'PAYMENT',
      });
      const formToken = answer.formToken;
      if (typeof formToken !== 'string' || formToken === '') {
        throw new PaymentProviderError(
          'Payzen CreatePayment answered without a formToken',
          'BAD_RESPONSE',
          false,
        );
      }
      const redirectUrl =
        options.hostedFormUrl === undefined
          ? null
          : `${options.hostedFormUrl}?${new URLSearchParams({ formToken, returnUrl: order.returnUrl }).toString()}`;
      return { provider: name, paymentId: order.paymentId, formToken, redirectUrl, providerReference: null };
    },

    async verifyNotification(notification: RawNotification): Promise<VerifiedNotification> {
      const fields = notification.fields;
      const hash = fields['kr-hash'];
      const raw = fields['kr-answer'];
      const key = fields['kr-hash-key'];
      if (hash === undefined || raw === undefined)
        return { valid: false, reason: 'kr-hash or kr-answer missing' };
      if (fields['kr-hash-algorithm'] !== HASH_ALGORITHM)
        return { valid: false, reason: 'unsupported kr-hash-algorithm' };
      if (fields['kr-answer-type'] !== undefined && fields['kr-answer-type'] !== ANSWER_TYPE) {
        return { valid: false, reason: 'unexpected kr-answer-type' };
      }
      // The IPN is signed with the password, the browser return with the HMAC key: never the other.
      const expectedKey = notification.channel === 'ipn' ? 'password' : 'sha256_hmac';
      if (key !== expectedKey) return { valid: false, reason: `kr-hash-key must be ${expectedKey}` };
      const secret = expectedKey === 'password' ? options.password : options.hmacKey;
      if (!krHashMatches(raw, hash, secret)) return { valid: false, reason: 'kr-hash does not match' };
      let answer: unknown;
      try {
        answer = JSON.parse(raw);
      } catch {
        return { valid: false, reason: 'kr-answer is not JSON' };
      }
      if (!isPaymentAnswer(answer)) return { valid: false, reason: 'kr-answer is not a V4/Payment' };
      if (answer.shopId !== options.shopId) return { valid: false, reason: 'kr-answer is for another shop' };
      const transaction = transactionOf(answer);
      const status = statusOf(answer.orderStatus);
      return {
        valid: true,
        orderId: answer.orderDetails.orderId,
        status,
        failureReason: status === 'failed' ? failureOf(transaction) : null,
        transactionId: transaction?.uuid ?? null,
        amountCents: transaction?.amount ?? answer.orderDetails.orderTotalAmount,
        dedupeKey: `payzen:${answer.orderDetails.orderId}:${transaction?.uuid ?? '-'}:${answer.orderStatus}`,
      };
    },

    async refund(request: RefundRequest) {
      const answer = await call(CANCEL_OR_REFUND_PATH, {
        uuid: request.transactionId,
        amount: request.amountCents,
        currency: 'EUR',
      });
      const uuid = answer.uuid;
      if (typeof uuid !== 'string') {
        throw new PaymentProviderError(
          'Payzen CancelOrRefund answered without a transaction',
          'BAD_RESPONSE',
          false,
        );
      }
      return { refundId: uuid };
    },
  };
}
