import type { FastifyInstance } from 'fastify';
import { type AdelsoftClient, createAdelsoftClient } from '../adelsoft/adelsoft-client.js';
import {
  ADELSOFT_SIMULATOR_API_KEY,
  ADELSOFT_SIMULATOR_WEBHOOK_SECRET,
  type AdelsoftSimulator,
  createAdelsoftSimulator,
} from '../adelsoft/adelsoft-simulator.js';
import type { SagasConfig } from '../config/sagas-config.js';
import type { SagaRoutesOptions } from '../http/saga-routes.js';
import { createBrevoClient } from '../notifications/brevo/brevo-client.js';
import type { NotificationChannels } from '../notifications/channels.js';
import { type NotificationLinks, publicSiteLinks } from '../notifications/notification-saga.js';
import { createSmsModeClient } from '../notifications/smsmode/smsmode-client.js';
import { createLemonwayAdapter } from '../payment/lemonway/lemonway-adapter.js';
import type { PaymentProvider } from '../payment/payment-provider.js';
import { createPayzenAdapter } from '../payment/payzen/payzen-adapter.js';
import {
  createPayzenSimulator,
  type PayzenSimulator,
  SIMULATOR_CREDENTIALS,
} from '../payment/payzen/payzen-simulator.js';

/** Where the embedded server mounts what this package serves. */
export const SAGA_MOUNT_POINTS = {
  /** `sagaRoutes` (payment notifications, AdelSoft webhook). */
  api: '/api/v1',
  payzenSimulator: '/simulators/payzen',
  adelsoftSimulator: '/simulators/adelsoft',
} as const;

export interface SagaAdapterOptions {
  /** The platform's URL as this process reaches itself (`http://127.0.0.1:3000`): simulators, IPN target. */
  readonly serverUrl: string;
  readonly fetch?: typeof fetch;
}

/** Every adapter the sagas use, built from the configuration (simulators in embedded mode). */
export interface SagaAdapters {
  readonly paymentProviders: readonly PaymentProvider[];
  readonly adelsoft: { readonly client: AdelsoftClient; readonly pullIntervalMs: number | null } | null;
  readonly channels: NotificationChannels;
  readonly links: NotificationLinks;
  readonly simulators: {
    readonly payzen: PayzenSimulator | null;
    readonly adelsoft: AdelsoftSimulator | null;
  };
  /** Options of `sagaRoutes`, without the services `startSagas` returns. */
  routeOptions(services: {
    readonly payments: NonNullable<SagaRoutesOptions['payments']>['service'];
    readonly adelsoftResults: NonNullable<SagaRoutesOptions['adelsoft']>['receiver'];
  }): SagaRoutesOptions;
  /** Mounts the simulators in use on the embedded server. */
  mountSimulators(app: FastifyInstance): Promise<void>;
}

export function createSagaAdapters(config: SagasConfig, options: SagaAdapterOptions): SagaAdapters {
  const server = options.serverUrl.replace(/\/+$/, '');
  const publicBase = (config.publicBaseUrl ?? server).replace(/\/+$/, '');
  const ipnUrl = `${server}${SAGA_MOUNT_POINTS.api}/payments/payzen/ipn`;
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };

  let payzenSimulator: PayzenSimulator | null = null;
  const providers: PaymentProvider[] = [];
  if (config.payment.kind === 'simulator') {
    payzenSimulator = createPayzenSimulator({ ...SIMULATOR_CREDENTIALS, ...fetchOption });
    providers.push(
      createPayzenAdapter({
        ...SIMULATOR_CREDENTIALS,
        baseUrl: `${server}${SAGA_MOUNT_POINTS.payzenSimulator}`,
        hostedFormUrl: `${publicBase}${SAGA_MOUNT_POINTS.payzenSimulator}/form`,
        ipnUrl,
        providerName: 'simulator',
        ...fetchOption,
      }),
    );
  } else {
    providers.push(
      createPayzenAdapter({
        baseUrl: config.payment.baseUrl,
        shopId: config.payment.shopId,
        password: config.payment.password,
        hmacKey: config.payment.hmacKey,
        ipnUrl: `${publicBase}${SAGA_MOUNT_POINTS.api}/payments/payzen/ipn`,
        ...fetchOption,
      }),
    );
  }
  if (config.lemonway !== null) providers.push(createLemonwayAdapter({ ...config.lemonway, ...fetchOption }));

  let adelsoftSimulator: AdelsoftSimulator | null = null;
  let adelsoft: SagaAdapters['adelsoft'] = null;
  let webhookSecret: string | null = null;
  if (config.adelsoft.kind === 'simulator') {
    webhookSecret = ADELSOFT_SIMULATOR_WEBHOOK_SECRET;
    adelsoftSimulator = createAdelsoftSimulator({
      apiKey: ADELSOFT_SIMULATOR_API_KEY,
      webhookUrl: `${server}${SAGA_MOUNT_POINTS.api}/adelsoft/results`,
      webhookSecret,
      ...fetchOption,
    });
    adelsoft = {
      client: createAdelsoftClient({
        baseUrl: `${server}${SAGA_MOUNT_POINTS.adelsoftSimulator}`,
        apiKey: ADELSOFT_SIMULATOR_API_KEY,
        ...fetchOption,
      }),
      pullIntervalMs: config.adelsoft.pullIntervalMs,
    };
  } else if (config.adelsoft.kind === 'http') {
    webhookSecret = config.adelsoft.webhookSecret;
    adelsoft = {
      client: createAdelsoftClient({
        baseUrl: config.adelsoft.baseUrl,
        apiKey: config.adelsoft.apiKey,
        ...fetchOption,
      }),
      pullIntervalMs: config.adelsoft.pullIntervalMs,
    };
  }

  const brevo =
    config.brevo === null
      ? null
      : createBrevoClient({
          apiKey: config.brevo.apiKey,
          ...(config.brevo.baseUrl === null ? {} : { baseUrl: config.brevo.baseUrl }),
          sender: { email: config.brevo.senderEmail, name: config.brevo.senderName },
          smsSender: config.smsSender,
          ...fetchOption,
        });
  const smsMode =
    config.smsMode === null
      ? null
      : createSmsModeClient({
          apiKey: config.smsMode.apiKey,
          ...(config.smsMode.baseUrl === null ? {} : { baseUrl: config.smsMode.baseUrl }),
          from: config.smsSender,
          ...fetchOption,
        });
  const channels: NotificationChannels = { email: brevo?.email ?? null, sms: smsMode ?? brevo?.sms ?? null };
  const payzenProvider = config.payment.kind === 'simulator' ? 'simulator' : 'payzen';

  return {
    paymentProviders: providers,
    adelsoft,
    channels,
    links: publicSiteLinks(publicBase),
    simulators: { payzen: payzenSimulator, adelsoft: adelsoftSimulator },
    routeOptions: (services) => ({
      payments: {
        service: services.payments,
        payzenProvider,
        lemonway: config.lemonway !== null,
        returnPage: ({ bookingId, status }) =>
          `${publicBase}/paiement/resultat?${new URLSearchParams({ statut: status, ...(bookingId ? { reservation: bookingId } : {}) })}`,
      },
      ...(adelsoft !== null && webhookSecret !== null
        ? { adelsoft: { receiver: services.adelsoftResults, webhookSecret } }
        : {}),
    }),
    async mountSimulators(app) {
      if (payzenSimulator)
        await app.register(payzenSimulator.plugin, { prefix: SAGA_MOUNT_POINTS.payzenSimulator });
      if (adelsoftSimulator)
        await app.register(adelsoftSimulator.plugin, { prefix: SAGA_MOUNT_POINTS.adelsoftSimulator });
    },
  };
}
