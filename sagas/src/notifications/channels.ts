/**
 * Where notifications go out: an e-mail sender and an SMS sender (Brevo, SMS Mode), either of which
 * may be absent. Without a sender the message stays in the outbox only (embedded mode: the outbox
 * is the mailbox staff and tests read).
 */
export interface MessageAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** UTF-8 text (a calendar file). */
  readonly content: string;
}

export interface OutgoingEmail {
  readonly to: { readonly email: string; readonly name: string | null };
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly MessageAttachment[];
}

export interface OutgoingSms {
  /** E.164, e.g. `+33612345678`. */
  readonly to: string;
  readonly text: string;
}

export interface SentMessage {
  readonly messageId: string;
}

export interface EmailSender {
  readonly provider: string;
  /** `messageKey` identifies the outbox message (sent along for tracing). */
  send(email: OutgoingEmail, messageKey: string): Promise<SentMessage>;
}

export interface SmsSender {
  readonly provider: string;
  send(sms: OutgoingSms, messageKey: string): Promise<SentMessage>;
}

export interface NotificationChannels {
  readonly email: EmailSender | null;
  readonly sms: SmsSender | null;
}

export const OUTBOX_ONLY: NotificationChannels = { email: null, sms: null };

/** A provider refused or failed a message; `retryable` says whether sending again may work. */
export class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Sends a JSON request to a provider and reads its JSON answer; maps failures to delivery errors. */
export async function postJson(
  doFetch: typeof fetch,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: unknown,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new NotificationDeliveryError(`${url} unreachable: ${String(error)}`, 0, true);
  }
  const json: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    const message =
      typeof json === 'object' &&
      json !== null &&
      typeof (json as Record<string, unknown>).message === 'string'
        ? String((json as Record<string, unknown>).message)
        : `HTTP ${response.status}`;
    throw new NotificationDeliveryError(`${url}: ${message}`, response.status, retryable);
  }
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
}

/** E.164 without the `+`, as Brevo and SMS Mode expect recipients. */
export function internationalDigits(phone: string): string {
  return phone.replace(/^\+/, '');
}
