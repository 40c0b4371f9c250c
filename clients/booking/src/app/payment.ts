import { ApiError } from './api.js';

/**
 * Online payment: the booking is placed with `paymentMode: 'online'` (the slot is held), then
 * the platform opens a payment with the provider and answers the page to send the browser to
 * (Payzen's hosted form; in embedded mode the Payzen simulator at `/simulators/payzen/form`).
 * The provider posts the browser back to `/api/v1/payments/payzen/return`, which redirects to
 * this app's `/paiement/resultat?statut=…&reservation=…`.
 *
 * The route that opens the payment is the sagas' (`POST /api/v1/manage/{token}/payment` with the
 * booking's manage token; answer 201 `{ redirectUrl, formToken, amountCents, … }`). It is not in
 * the command API's OpenAPI document the client is generated from, so it is called by hand here;
 * when the server lacks it the person is told to pay on site.
 */
export const paymentStartPath = (manageToken: string) =>
  `/api/v1/manage/${encodeURIComponent(manageToken)}/payment`;

export async function startOnlinePayment(manageToken: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(paymentStartPath(manageToken), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': globalThis.crypto.randomUUID() },
      body: '{}',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Connexion impossible. Vérifiez votre réseau puis réessayez.');
  }
  if (response.status === 404 || response.status === 405) {
    throw new ApiError(
      response.status,
      'PAYMENT_UNAVAILABLE',
      'Le paiement en ligne n’est pas disponible pour le moment. Vous pouvez payer sur place.',
    );
  }
  const body = (await response.json().catch(() => null)) as { redirectUrl?: unknown } | null;
  if (!response.ok || typeof body?.redirectUrl !== 'string') {
    throw new ApiError(response.status, 'PAYMENT_FAILED', 'Le paiement n’a pas pu être ouvert. Réessayez.');
  }
  return body.redirectUrl;
}
