import { ConfigError } from '@pti/platform';

/**
 * The sagas' provider configuration, from environment variables, with embedded defaults: without
 * any variable the platform pays through the local Payzen simulator, pushes to the local AdelSoft
 * simulator and keeps messages in the outbox.
 *
 * | variable                  | default                   | meaning                                      |
 * | ------------------------- | ------------------------- | -------------------------------------------- |
 * | `PUBLIC_BASE_URL`         | the server's own URL      | links in messages, payment return URLs       |
 * | `PAYMENT_PROVIDER`        | `simulator`               | `simulator` or `payzen`                      |
 * | `PAYZEN_API_URL`          | `https://api.payzen.eu`   | REST V4 base                                 |
 * | `PAYZEN_SHOP_ID`, `PAYZEN_PASSWORD`, `PAYZEN_HMAC_KEY` | required for `payzen` | shop id, REST password (IPN key), HMAC key (browser return) |
 * | `PAYZEN_PUBLIC_KEY`       | unset                     | given to the client's embedded form          |
 * | `LEMONWAY_API_URL`, `LEMONWAY_OAUTH_URL`, `LEMONWAY_CLIENT_ID`, `LEMONWAY_CLIENT_SECRET`, `LEMONWAY_WALLET_ID`, `LEMONWAY_WEBKIT_URL` | unset: no Lemonway | all six, or none |
 * | `ADELSOFT`                | `simulator` unless `ADELSOFT_API_URL` | `simulator`, `http` or `off`   |
 * | `ADELSOFT_API_URL`, `ADELSOFT_API_KEY` | required for `http` | the connector and its key        |
 * | `ADELSOFT_WEBHOOK_SECRET` | simulator's secret        | HMAC secret of result webhooks               |
 * | `ADELSOFT_PULL_SECONDS`   | unset: webhook only       | poll `GET /v1/results` this often            |
 * | `BREVO_API_KEY`           | unset: outbox only        | e-mail (and SMS unless SMS Mode is set)      |
 * | `BREVO_API_URL`           | `https://api.brevo.com/v3` |                                             |
 * | `MAIL_FROM`, `MAIL_FROM_NAME` | `rendez-vous@pti-calendar.fr`, `PTI Calendar` | e-mail sender     |
 * | `SMS_SENDER`              | `PTI`                     | SMS sender name (≤ 11 characters)            |
 * | `SMSMODE_API_KEY`, `SMSMODE_API_URL` | unset          | SMS through SMS Mode                         |
 *
 * With `NODE_ENV=production` the simulators are never a default: `PAYMENT_PROVIDER` and `ADELSOFT`
 * (or `ADELSOFT_API_URL`) must be set, so a misconfigured server cannot take pretend payments.
 */
export interface SagasConfig {
  readonly publicBaseUrl: string | null;
  readonly payment:
    | { readonly kind: 'simulator' }
    | {
        readonly kind: 'payzen';
        readonly baseUrl: string;
        readonly shopId: string;
        readonly password: string;
        readonly hmacKey: string;
        readonly publicKey: string | null;
      };
  readonly lemonway: {
    readonly apiUrl: string;
    readonly oauthUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly walletId: string;
    readonly webkitUrl: string;
  } | null;
  readonly adelsoft:
    | { readonly kind: 'off' }
    | { readonly kind: 'simulator'; readonly pullIntervalMs: number | null }
    | {
        readonly kind: 'http';
        readonly baseUrl: string;
        readonly apiKey: string;
        readonly webhookSecret: string | null;
        readonly pullIntervalMs: number | null;
      };
  readonly brevo: {
    readonly apiKey: string;
    readonly baseUrl: string | null;
    readonly senderEmail: string;
    readonly senderName: string;
  } | null;
  readonly smsMode: { readonly apiKey: string; readonly baseUrl: string | null } | null;
  readonly smsSender: string;
}

type RawEnv = Readonly<Record<string, string | undefined>>;

const LEMONWAY_VARIABLES = [
  'LEMONWAY_API_URL',
  'LEMONWAY_OAUTH_URL',
  'LEMONWAY_CLIENT_ID',
  'LEMONWAY_CLIENT_SECRET',
  'LEMONWAY_WALLET_ID',
  'LEMONWAY_WEBKIT_URL',
] as const;

/** Reads the sagas' configuration; throws `ConfigError` naming every bad variable. */
export function loadSagasConfig(env: RawEnv = process.env): SagasConfig {
  const issues: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const url = (name: string): string | undefined => {
    const raw = value(name);
    if (raw !== undefined && !/^https?:\/\//.test(raw)) issues.push(`${name}: expected an http(s) URL`);
    return raw;
  };
  const required = (name: string, because: string): string => {
    const raw = value(name);
    if (raw === undefined) issues.push(`${name}: required ${because}`);
    return raw ?? '';
  };
  const seconds = (name: string): number | null => {
    const raw = value(name);
    if (raw === undefined) return null;
    if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
      issues.push(`${name}: expected a whole number of seconds ≥ 1`);
      return null;
    }
    return Number(raw) * 1000;
  };

  const production = value('NODE_ENV') === 'production';
  if (production && value('PAYMENT_PROVIDER') === undefined) {
    issues.push('PAYMENT_PROVIDER: required in production (payzen, or simulator deliberately)');
  }
  if (production && value('ADELSOFT') === undefined && value('ADELSOFT_API_URL') === undefined) {
    issues.push('ADELSOFT_API_URL: required in production (or ADELSOFT=off / simulator deliberately)');
  }
  const paymentKind = value('PAYMENT_PROVIDER') ?? 'simulator';
  let payment: SagasConfig['payment'] = { kind: 'simulator' };
  if (paymentKind === 'payzen') {
    const because = 'when PAYMENT_PROVIDER=payzen';
    payment = {
      kind: 'payzen',
      baseUrl: url('PAYZEN_API_URL') ?? 'https://api.payzen.eu',
      shopId: required('PAYZEN_SHOP_ID', because),
      password: required('PAYZEN_PASSWORD', because),
      hmacKey: required('PAYZEN_HMAC_KEY', because),
      publicKey: value('PAYZEN_PUBLIC_KEY') ?? null,
    };
  } else if (paymentKind !== 'simulator') {
    issues.push('PAYMENT_PROVIDER: expected simulator or payzen');
  }

  const lemonwaySet = LEMONWAY_VARIABLES.filter((name) => value(name) !== undefined);
  let lemonway: SagasConfig['lemonway'] = null;
  if (lemonwaySet.length === LEMONWAY_VARIABLES.length) {
    lemonway = {
      apiUrl: url('LEMONWAY_API_URL') ?? '',
      oauthUrl: url('LEMONWAY_OAUTH_URL') ?? '',
      clientId: value('LEMONWAY_CLIENT_ID') ?? '',
      clientSecret: value('LEMONWAY_CLIENT_SECRET') ?? '',
      walletId: value('LEMONWAY_WALLET_ID') ?? '',
      webkitUrl: url('LEMONWAY_WEBKIT_URL') ?? '',
    };
  } else if (lemonwaySet.length > 0) {
    const missing = LEMONWAY_VARIABLES.filter((name) => value(name) === undefined);
    issues.push(`LEMONWAY_*: set all six or none (missing ${missing.join(', ')})`);
  }

  const adelsoftUrl = url('ADELSOFT_API_URL');
  const adelsoftKind = value('ADELSOFT') ?? (adelsoftUrl === undefined ? 'simulator' : 'http');
  let adelsoft: SagasConfig['adelsoft'];
  switch (adelsoftKind) {
    case 'off':
      adelsoft = { kind: 'off' };
      break;
    case 'simulator':
      adelsoft = { kind: 'simulator', pullIntervalMs: seconds('ADELSOFT_PULL_SECONDS') };
      break;
    case 'http':
      adelsoft = {
        kind: 'http',
        baseUrl: adelsoftUrl ?? required('ADELSOFT_API_URL', 'when ADELSOFT=http'),
        apiKey: required('ADELSOFT_API_KEY', 'when ADELSOFT=http'),
        webhookSecret: value('ADELSOFT_WEBHOOK_SECRET') ?? null,
        pullIntervalMs: seconds('ADELSOFT_PULL_SECONDS'),
      };
      break;
    default:
      issues.push('ADELSOFT: expected simulator, http or off');
      adelsoft = { kind: 'off' };
  }

  const brevoKey = value('BREVO_API_KEY');
  const smsModeKey = value('SMSMODE_API_KEY');
  const smsSender = value('SMS_SENDER') ?? 'PTI';
  if (smsSender.length > 11) issues.push('SMS_SENDER: at most 11 characters');
  const publicBaseUrl = url('PUBLIC_BASE_URL') ?? null;

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    publicBaseUrl,
    payment,
    lemonway,
    adelsoft,
    brevo:
      brevoKey === undefined
        ? null
        : {
            apiKey: brevoKey,
            baseUrl: url('BREVO_API_URL') ?? null,
            senderEmail: value('MAIL_FROM') ?? 'rendez-vous@pti-calendar.fr',
            senderName: value('MAIL_FROM_NAME') ?? 'PTI Calendar',
          },
    smsMode:
      smsModeKey === undefined ? null : { apiKey: smsModeKey, baseUrl: url('SMSMODE_API_URL') ?? null },
    smsSender,
  };
}
