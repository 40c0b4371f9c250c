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

/**
 * The Lemonway adapter (DirectKit REST v2, reference/domain-ct.md):
 *
 * - OAuth2 client credentials: `POST {oauthUrl}` (`grant_type=client_credentials`, HTTP Basic
 *   `clientId:clientSecret`) → a bearer token, cached until shortly before it expires;
 * - `POST {apiUrl}/v2/moneyins/card/webinit` `{ accountId, totalAmount, reference, returnUrl,
 *   errorUrl, cancelUrl }` → `{ webKitToken, id }`; the browser goes to `{webkitUrl}?moneyintoken=…`;
 * - notifications are NOT signed: the notified transaction is re-read with
 *   `GET {apiUrl}/v2/moneyins?transactionId=<id>` and only that answer is believed (its status,
 *   amount and reference, which is our payment id);
 * - refunds: `POST {apiUrl}/v2/moneyins/{transactionId}/refund` `{ amountToRefund }`.
 *
 * Money-in statuses: 0 and 3 succeeded, 4 failed, 16 (awaiting validation) and the rest pending.
 */
export interface LemonwayAdapterOptions {
  readonly apiUrl: string;
  readonly oauthUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The payment account (wallet) credited by money-ins. */
  readonly walletId: string;
  /** The WebKit page the customer is sent to with the money-in token. */
  readonly webkitUrl: string;
  /** Lemonway requires the end user's IP on each call; the platform's public IP when unknown. */
  readonly psuIpAddress?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Milliseconds clock for the token cache. */
  readonly now?: () => number;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

interface MoneyIn {
  readonly id: string;
  readonly reference: string;
  readonly status: number;
  readonly amountCents: number | null;
}

function moneyInsOf(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null) return [];
  const transactions = (body as Record<string, unknown>).transactions;
  if (Array.isArray(transactions)) return transactions;
  // Some DirectKit answers wrap lists as `{ value: [...] }`.
  if (typeof transactions === 'object' && transactions !== null) {
    const value = (transactions as Record<string, unknown>).value;
    if (Array.isArray(value)) return value;
  }
  return [];
}

function moneyInOf(value: unknown): MoneyIn | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'number' || typeof record.id === 'string' ? String(record.id) : undefined;
  const status = typeof record.status === 'number' ? record.status : Number(record.status);
  const reference = record.reference;
  if (id === undefined || typeof reference !== 'string' || !Number.isInteger(status)) return undefined;
  const amount = [record.creditAmount, record.debitAmount, record.amount].find((v) => typeof v === 'number');
  return { id, reference, status, amountCents: typeof amount === 'number' ? amount : null };
}

function statusOf(status: number): PaymentStatus {
  if (status === 0 || status === 3) return 'paid';
  if (status === 4) return 'failed';
  return 'pending';
}

export function createLemonwayAdapter(options: LemonwayAdapterOptions): PaymentProvider {
  const doFetch = options.fetch ?? fetch;
  const api = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  let token: Token | null = null;

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, { ...init, signal: requestTimeout(timeoutMs) });
    } catch (error) {
      throw new PaymentProviderError(`Lemonway unreachable: ${String(error)}`, 'NETWORK', true);
    }
  }

  async function bearer(): Promise<string> {
    if (token !== null && token.expiresAt > now()) return token.value;
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
    const response = await send(options.oauthUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body: unknown = await response.json().catch(() => undefined);
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (!response.ok || typeof record.access_token !== 'string') {
      throw new PaymentProviderError(
        `Lemonway OAuth answered HTTP ${response.status}`,
        'OAUTH',
        response.status >= 500,
      );
    }
    const lifetime = typeof record.expires_in === 'number' ? record.expires_in : 3600;
    // Renewed a minute early so a call never goes out with a token about to lapse.
    token = { value: record.access_token, expiresAt: now() + Math.max(0, lifetime - 60) * 1000 };
    return token.value;
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<unknown> {
    const response = await send(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await bearer()}`,
        accept: 'application/json',
        'PSU-IP-Address': options.psuIpAddress ?? '127.0.0.1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401) token = null;
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw new PaymentProviderError(
        `Lemonway ${method} ${path} answered HTTP ${response.status}`,
        `HTTP_${response.status}`,
        response.status >= 500,
      );
    }
    return json;
  }

  async function readMoneyIn(transactionId: string): Promise<MoneyIn | undefined> {
    const body = await call('GET', `/v2/moneyins?${new URLSearchParams({ transactionId }).toString()}`);
    return moneyInsOf(body)
      .map(moneyInOf)
      .find((moneyIn) => moneyIn?.id === transactionId);
  }

  const withIssue = (url: string, issue: string) => `${url}${url.includes('?') ? '&' : '?'}issue=${issue}`;

  return {
    name: 'lemonway',
    async createPayment(order: PaymentOrder): Promise<PaymentSession> {
      const body = await call('POST', '/v2/moneyins/card/webinit', {
        accountId: options.walletId,
        totalAmount: order.amountCents,
        reference: order.paymentId,
        returnUrl: order.returnUrl,
        errorUrl: withIssue(order.returnUrl, 'erreur'),
        cancelUrl: withIssue(order.returnUrl, 'annule'),
        comment:
          order.reference === undefined ? `Réservation ${order.bookingId}` : `Réservation ${order.reference}`,
      });
      const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const webKitToken = record.webKitToken;
      const id = record.id;
      if (typeof webKitToken !== 'string' || (typeof id !== 'number' && typeof id !== 'string')) {
        throw new PaymentProviderError(
          'Lemonway webinit answered without webKitToken and id',
          'BAD_RESPONSE',
          false,
        );
      }
      const separator = options.webkitUrl.includes('?') ? '&' : '?';
      return {
        provider: 'lemonway',
        paymentId: order.paymentId,
        formToken: null,
        redirectUrl: `${options.webkitUrl}${separator}moneyintoken=${encodeURIComponent(webKitToken)}`,
        providerReference: String(id),
      };
    },

    async verifyNotification(notification: RawNotification): Promise<VerifiedNotification> {
      const fields = notification.fields;
      const transactionId =
        fields.response_transactionId ?? fields.transactionId ?? fields.IntId ?? fields.id;
      if (transactionId === undefined || !/^[0-9A-Za-z-]{1,40}$/.test(transactionId)) {
        return { valid: false, reason: 'no transaction id in the notification' };
      }
      // Nothing in the notification itself is believed: the transaction is read back from Lemonway.
      const moneyIn = await readMoneyIn(transactionId);
      if (moneyIn === undefined) return { valid: false, reason: 'Lemonway does not know the transaction' };
      const status = statusOf(moneyIn.status);
      return {
        valid: true,
        orderId: moneyIn.reference,
        status,
        failureReason: status === 'failed' ? 'declined' : null,
        transactionId: moneyIn.id,
        amountCents: moneyIn.amountCents,
        dedupeKey: `lemonway:${moneyIn.id}:${moneyIn.status}`,
      };
    },

    async refund(request: RefundRequest) {
      const body = await call('POST', `/v2/moneyins/${encodeURIComponent(request.transactionId)}/refund`, {
        amountToRefund: request.amountCents,
        comment: `Remboursement ${request.paymentId}`,
      });
      const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const transaction =
        typeof record.transaction === 'object' && record.transaction !== null ? record.transaction : record;
      const id = (transaction as Record<string, unknown>).id;
      if (typeof id !== 'number' && typeof id !== 'string') {
        throw new PaymentProviderError(
          'Lemonway refund answered without a transaction id',
          'BAD_RESPONSE',
          false,
        );
      }
      return { refundId: String(id) };
    },
  };
}
