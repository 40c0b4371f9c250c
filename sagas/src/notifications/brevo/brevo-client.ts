import {
  type EmailSender,
  internationalDigits,
  NotificationDeliveryError,
  type OutgoingEmail,
  type OutgoingSms,
  postJson,
  type SmsSender,
} from '../channels.js';

/**
 * Brevo (ex-Sendinblue) transactional API, header `api-key`:
 * - e-mail: `POST {base}/smtp/email` `{ sender, to: [{ email, name }], subject, textContent,
 *   attachment: [{ name, content (base64) }], headers }` → `{ messageId }`;
 * - SMS: `POST {base}/transactionalSMS/send` `{ sender (≤ 11 characters), recipient, content,
 *   type: "transactional" }` → `{ messageId }`.
 */
export interface BrevoOptions {
  readonly apiKey: string;
  /** Default `https://api.brevo.com/v3`. */
  readonly baseUrl?: string;
  readonly sender: { readonly email: string; readonly name: string };
  /** Alphanumeric SMS sender, at most 11 characters (default `PTI`). */
  readonly smsSender?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export const BREVO_API = 'https://api.brevo.com/v3';

function messageIdOf(answer: Record<string, unknown>): string {
  const id = answer.messageId;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  throw new NotificationDeliveryError('Brevo answered without a messageId', 200, false);
}

export function createBrevoClient(options: BrevoOptions): {
  readonly email: EmailSender;
  readonly sms: SmsSender;
} {
  const base = (options.baseUrl ?? BREVO_API).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { 'api-key': options.apiKey };
  const smsSender = options.smsSender ?? 'PTI';
  if (smsSender.length > 11) throw new RangeError('a Brevo SMS sender has at most 11 characters');

  return {
    email: {
      provider: 'brevo',
      async send(email: OutgoingEmail, messageKey: string) {
        const answer = await postJson(
          doFetch,
          `${base}/smtp/email`,
          headers,
          {
            sender: options.sender,
            to: [{ email: email.to.email, ...(email.to.name ? { name: email.to.name } : {}) }],
            subject: email.subject,
            textContent: email.text,
            ...(email.attachments.length > 0
              ? {
                  attachment: email.attachments.map((file) => ({
                    name: file.filename,
                    content: Buffer.from(file.content, 'utf8').toString('base64'),
                  })),
                }
              : {}),
            headers: { 'X-PTI-Message': messageKey },
          },
          timeoutMs,
        );
        return { messageId: messageIdOf(answer) };
      },
    },
    sms: {
      provider: 'brevo',
      async send(sms: OutgoingSms) {
        const answer = await postJson(
          doFetch,
          `${base}/transactionalSMS/send`,
          headers,
          {
            sender: smsSender,
            recipient: internationalDigits(sms.to),
            content: sms.text,
            type: 'transactional',
          },
          timeoutMs,
        );
        return { messageId: messageIdOf(answer) };
      },
    },
  };
}
