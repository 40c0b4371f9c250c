import {
  internationalDigits,
  NotificationDeliveryError,
  type OutgoingSms,
  postJson,
  type SmsSender,
} from '../channels.js';

/**
 * SMS Mode: `POST https://rest.smsmode.com/sms/v1/messages`, header `X-Api-Key`,
 * `{ recipient: { to }, body: { text }, from }` → `{ messageId, … }`; an optional delivery-status
 * callback URL is sent as `callbackUrlStatus`.
 */
export interface SmsModeOptions {
  readonly apiKey: string;
  /** Default `https://rest.smsmode.com`. */
  readonly baseUrl?: string;
  /** Sender shown on the phone (default `PTI`). */
  readonly from?: string;
  readonly statusCallbackUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export const SMSMODE_API = 'https://rest.smsmode.com';

export function createSmsModeClient(options: SmsModeOptions): SmsSender {
  const base = (options.baseUrl ?? SMSMODE_API).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  return {
    provider: 'smsmode',
    async send(sms: OutgoingSms) {
      const answer = await postJson(
        doFetch,
        `${base}/sms/v1/messages`,
        { 'X-Api-Key': options.apiKey },
        {
          recipient: { to: internationalDigits(sms.to) },
          body: { text: sms.text },
          from: options.from ?? 'PTI',
          ...(options.statusCallbackUrl ? { callbackUrlStatus: options.statusCallbackUrl } : {}),
        },
        options.timeoutMs ?? 10_000,
      );
      const id = answer.messageId;
      if (typeof id !== 'string' && typeof id !== 'number') {
        throw new NotificationDeliveryError('SMS Mode answered without a messageId', 200, false);
      }
      return { messageId: String(id) };
    },
  };
}
