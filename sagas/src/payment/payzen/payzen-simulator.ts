import { randomBytes, randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { acceptFormBodies, postForm, stringFields } from '../../shared/form-body.js';
import { formatEuros } from '../../shared/french-format.js';
import { escapeHtml } from '../../shared/html.js';
import {
  CANCEL_OR_REFUND_PATH,
  CREATE_PAYMENT_PATH,
  CreatePaymentRequest,
  type PaymentAnswer,
  type PaymentTransaction,
  parseBasicAuthorization,
  RefundRequest,
  secretEquals,
  signedAnswerFields,
} from './payzen-wire.js';

/**
 * A local stand-in for Payzen that speaks its REST V4 wire format (see `payzen-wire.ts`), so the
 * real Payzen adapter is what runs in embedded mode and in tests:
 *
 * | route (under the mount point)                 | what it does                                        |
 * | --------------------------------------------- | --------------------------------------------------- |
 * | `POST /api-payment/V4/Charge/CreatePayment`   | Basic auth `shopId:password`, answers a form token   |
 * | `GET  /form?formToken=&returnUrl=`             | the hosted payment page (French): pay, decline, abandon |
 * | `POST /form/decision`                          | signs the outcome, POSTs the IPN to `ipnTargetUrl`, then sends the browser back to `returnUrl` with a signed browser return |
 * | `POST /api-payment/V4/Transaction/CancelOrRefund` | refunds a paid transaction                       |
 *
 * Mount it with a prefix, e.g. `app.register(simulator.plugin, { prefix: '/simulators/payzen' })`.
 */
export interface PayzenSimulatorOptions {
  readonly shopId: string;
  readonly password: string;
  readonly hmacKey: string;
  /** Where IPNs go when a payment carried no `ipnTargetUrl`. */
  readonly defaultIpnUrl?: string;
  readonly fetch?: typeof fetch;
}

/** Credentials of the embedded simulator (not secrets: nothing real is behind them). */
export const SIMULATOR_CREDENTIALS = {
  shopId: '69876357',
  password: 'testpassword_SIMULATEUR0000000000000000',
  hmacKey: 'hmacsha256_SIMULATEUR000000000000000000',
} as const;

export type SimulatedDecision = 'accept' | 'decline' | 'abandon';

export interface SimulatedOrder {
  readonly formToken: string;
  readonly orderId: string;
  readonly amount: number;
  readonly email: string;
  readonly ipnTargetUrl: string | null;
  decision: SimulatedDecision | null;
  transaction: PaymentTransaction | null;
  refundedAmount: number;
}

export interface DeliveredIpn {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  /** HTTP status of the platform's answer, or 0 when it could not be reached. */
  readonly status: number;
}

export interface SimulatedRefund {
  readonly uuid: string;
  readonly transactionUuid: string;
  readonly orderId: string;
  readonly amount: number;
}

export interface PayzenSimulator {
  readonly plugin: FastifyPluginAsync;
  orders(): readonly SimulatedOrder[];
  refunds(): readonly SimulatedRefund[];
  ipns(): readonly DeliveredIpn[];
}

const LABELS: Readonly<Record<SimulatedDecision, string>> = {
  accept: 'Paiement accepté',
  decline: 'Paiement refusé par la banque',
  abandon: 'Paiement abandonné',
};

function v4(webService: string, status: 'SUCCESS' | 'ERROR', answer: Record<string, unknown>) {
  return {
    webService,
    version: 'V4',
    applicationVersion: 'simulateur-pti',
    status,
    answer,
    ticket: randomUUID().replaceAll('-', ''),
    serverDate: new Date().toISOString(),
    applicationProvider: 'PAYZEN',
    metadata: null,
    mode: 'TEST',
    serverUrl: 'simulateur',
    _type: 'V4/WebService/Response',
  };
}

const webServiceError = (webService: string, errorCode: string, errorMessage: string) =>
  v4(webService, 'ERROR', { errorCode, errorMessage, _type: 'V4/WebService/WebServiceError' });

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a202c}
.box{border:1px solid #cbd5e0;border-radius:.5rem;padding:1.5rem}button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;cursor:pointer}
.pay{background:#2c5282;color:#fff;border:0;border-radius:.3rem}.note{color:#4a5568;font-size:.9rem}</style></head>
<body>${body}</body></html>`;
}

export function createPayzenSimulator(options: PayzenSimulatorOptions): PayzenSimulator {
  const doFetch = options.fetch ?? fetch;
  const orders = new Map<string, SimulatedOrder>();
  const refunds: SimulatedRefund[] = [];
  const ipns: DeliveredIpn[] = [];

  const authorized = (header: string | undefined): boolean => {
    const credentials = parseBasicAuthorization(header);
    return (
      credentials !== undefined &&
      secretEquals(credentials.user, options.shopId) &&
      secretEquals(credentials.password, options.password)
    );
  };

  function answerOf(order: SimulatedOrder, transaction: PaymentTransaction): PaymentAnswer {
    const paid = transaction.status === 'PAID';
    return {
      shopId: options.shopId,
      orderCycle: 'CLOSED',
      orderStatus: paid ? 'PAID' : 'UNPAID',
      orderDetails: { orderId: order.orderId, orderTotalAmount: order.amount, orderCurrency: 'EUR' },
      transactions: [transaction],
    };
  }

  async function deliverIpn(order: SimulatedOrder, answer: PaymentAnswer): Promise<void> {
    const url = order.ipnTargetUrl ?? options.defaultIpnUrl;
    if (url === undefined) return;
    const fields = signedAnswerFields(answer, 'password', options.password);
    let status = 0;
    try {
      status = (await postForm(doFetch, url, fields)).status;
    } catch {
      status = 0;
    }
    ipns.push({ url, fields, status });
  }

  function decisionPage(
    reply: FastifyReply,
    order: SimulatedOrder,
    answer: PaymentAnswer,
    returnUrl: string | null,
  ) {
    const decision = order.decision ?? 'abandon';
    if (returnUrl === null) {
      return reply.type('text/html; charset=utf-8').send(
        page(
          LABELS[decision],
          `<div class="box"><h1>${escapeHtml(LABELS[decision])}</h1>
<p>Commande ${escapeHtml(order.orderId)} : ${escapeHtml(formatEuros(order.amount))}.</p></div>`,
        ),
      );
    }
    const fields = signedAnswerFields(answer, 'sha256_hmac', options.hmacKey);
    const inputs = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('\n');
    // The browser return: an auto-submitted form, as Payzen's own page does.
    return reply.type('text/html; charset=utf-8').send(
      page(
        LABELS[decision],
        `<div class="box"><h1>${escapeHtml(LABELS[decision])}</h1><p>Retour vers le site marchand…</p>
<form id="retour" method="post" action="${escapeHtml(returnUrl)}">${inputs}
<button type="submit">Revenir au site</button></form></div>
<script>document.getElementById('retour').submit();</script>`,
      ),
    );
  }

  async function routes(app: FastifyInstance): Promise<void> {
    acceptFormBodies(app);

    app.post(CREATE_PAYMENT_PATH, async (request, reply) => {
      if (!authorized(request.headers.authorization)) {
        return reply
          .code(401)
          .send(webServiceError('Charge/CreatePayment', 'INT_905', 'authentification invalide'));
      }
      if (!Value.Check(CreatePaymentRequest, request.body)) {
        const first = [...Value.Errors(CreatePaymentRequest, request.body)][0];
        return reply.send(
          webServiceError(
            'Charge/CreatePayment',
            'INT_902',
            `données invalides : ${first?.path ?? ''} ${first?.message ?? ''}`,
          ),
        );
      }
      const body = request.body;
      const formToken = `${randomBytes(24).toString('base64url')}`;
      orders.set(formToken, {
        formToken,
        orderId: body.orderId,
        amount: body.amount,
        email: body.customer.email,
        ipnTargetUrl: body.ipnTargetUrl ?? null,
        decision: null,
        transaction: null,
        refundedAmount: 0,
      });
      return reply.send(v4('Charge/CreatePayment', 'SUCCESS', { formToken, _type: 'V4/Charge/PaymentForm' }));
    });

    app.get<{ Querystring: { formToken?: string; returnUrl?: string } }>('/form', async (request, reply) => {
      const order = orders.get(request.query.formToken ?? '');
      if (order === undefined) {
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send(
            page(
              'Paiement introuvable',
              '<div class="box"><h1>Ce lien de paiement est invalide ou expiré.</h1></div>',
            ),
          );
      }
      const returnUrl = request.query.returnUrl ?? '';
      const button = (decision: SimulatedDecision, label: string, css = '') =>
        `<button type="submit" name="decision" value="${decision}"${css ? ` class="${css}"` : ''}>${escapeHtml(label)}</button>`;
      return reply.type('text/html; charset=utf-8').send(
        page(
          'Paiement sécurisé',
          `<div class="box"><h1>Paiement sécurisé</h1>
<p>Montant à régler : <strong>${escapeHtml(formatEuros(order.amount))}</strong></p>
<p>Commande : ${escapeHtml(order.orderId)}</p>
<form method="post" action="form/decision">
<input type="hidden" name="formToken" value="${escapeHtml(order.formToken)}">
<input type="hidden" name="returnUrl" value="${escapeHtml(returnUrl)}">
${button('accept', `Payer ${formatEuros(order.amount)}`, 'pay')}
${button('decline', 'Refuser le paiement')}
${button('abandon', 'Abandonner')}
</form>
<p class="note">Simulateur de paiement Payzen : aucune carte n’est débitée.</p></div>`,
        ),
      );
    });

    app.post('/form/decision', async (request, reply) => {
      const fields = stringFields(request.body);
      const order = orders.get(fields.formToken ?? '');
      const decision = fields.decision;
      if (order === undefined)
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .send(page('Paiement introuvable', '<h1>Paiement introuvable</h1>'));
      if (decision !== 'accept' && decision !== 'decline' && decision !== 'abandon') {
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(page('Choix invalide', '<h1>Choix invalide</h1>'));
      }
      if (order.decision !== null) {
        return reply
          .code(409)
          .type('text/html; charset=utf-8')
          .send(page('Déjà traité', '<div class="box"><h1>Ce paiement a déjà été traité.</h1></div>'));
      }
      order.decision = decision;
      order.transaction = {
        uuid: randomUUID().replaceAll('-', ''),
        amount: order.amount,
        currency: 'EUR',
        status: decision === 'accept' ? 'PAID' : 'UNPAID',
        detailedStatus:
          decision === 'accept' ? 'AUTHORISED' : decision === 'decline' ? 'REFUSED' : 'CANCELLED',
        operationType: 'DEBIT',
      };
      const answer = answerOf(order, order.transaction);
      await deliverIpn(order, answer);
      const returnUrl = fields.returnUrl === undefined || fields.returnUrl === '' ? null : fields.returnUrl;
      return decisionPage(reply, order, answer, returnUrl);
    });

    app.post(CANCEL_OR_REFUND_PATH, async (request, reply) => {
      if (!authorized(request.headers.authorization)) {
        return reply
          .code(401)
          .send(webServiceError('Transaction/CancelOrRefund', 'INT_905', 'authentification invalide'));
      }
      if (!Value.Check(RefundRequest, request.body)) {
        return reply.send(webServiceError('Transaction/CancelOrRefund', 'INT_902', 'données invalides'));
      }
      const { uuid, amount } = request.body;
      const order = [...orders.values()].find((candidate) => candidate.transaction?.uuid === uuid);
      if (order?.transaction?.status !== 'PAID') {
        return reply.send(
          webServiceError('Transaction/CancelOrRefund', 'PSP_010', 'transaction introuvable'),
        );
      }
      if (order.refundedAmount + amount > order.amount) {
        return reply.send(
          webServiceError(
            'Transaction/CancelOrRefund',
            'PSP_608',
            'montant supérieur au montant remboursable',
          ),
        );
      }
      order.refundedAmount += amount;
      const refund: SimulatedRefund = {
        uuid: randomUUID().replaceAll('-', ''),
        transactionUuid: uuid,
        orderId: order.orderId,
        amount,
      };
      refunds.push(refund);
      return reply.send(
        v4('Transaction/CancelOrRefund', 'SUCCESS', {
          uuid: refund.uuid,
          amount,
          currency: 'EUR',
          operationType: 'CREDIT',
          status: 'RUNNING',
          detailedStatus: 'AUTHORISED',
          _type: 'V4/Transaction',
        }),
      );
    });
  }

  return {
    plugin: routes,
    orders: () => [...orders.values()],
    refunds: () => [...refunds],
    ipns: () => [...ipns],
  };
}
