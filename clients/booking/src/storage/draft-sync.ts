import {
  ApiError,
  HOLD_LOST_CODES,
  type PlaceBookingBody,
  type PlacedBooking,
  placeBooking,
  SLOT_GONE_CODES,
} from '../app/api.js';
import { type DraftBooking, db } from './db.js';

/**
 * Drafts written while offline are sent when the network is back, in the order they were made,
 * each with the idempotency key it was given (a retry never books twice). A slot taken meanwhile
 * is said plainly; the draft stays listed so the person can pick another time.
 *
 * A draft written after the slot was held carries the hold: if it is still running the booking takes
 * it; if it ran out (or was released) meanwhile, the same slot is asked for again by a plain
 * placement, which holds and books in one command — and says so if someone else took the slot.
 */
export async function placeDraft(
  body: PlaceBookingBody,
  key: string,
  place: (body: PlaceBookingBody, key: string) => Promise<PlacedBooking> = placeBooking,
): Promise<PlacedBooking> {
  try {
    return await place(body, key);
  } catch (error) {
    if (!(body.hold && error instanceof ApiError && HOLD_LOST_CODES.has(error.code))) throw error;
    const { hold: _lost, ...plain } = body;
    // Another request than the one refused: its own key.
    return place(plain, `${key}-sans-retenue`);
  }
}

export async function submitDrafts(): Promise<DraftBooking[]> {
  const pending = await db.drafts.where('status').equals('pending').sortBy('createdAt');
  const done: DraftBooking[] = [];
  for (const draft of pending) {
    if (draft.id === undefined) continue;
    await db.drafts.update(draft.id, { status: 'submitting' });
    try {
      const placed = await placeDraft(draft.body, draft.idempotencyKey);
      await db.bookings.put({
        reference: placed.reference,
        bookingId: placed.bookingId,
        manageToken: placed.manageToken,
        email: draft.body.customer.email,
        centreId: placed.centreId,
        centreName: draft.centreName,
        start: placed.start,
        controlType: draft.body.controlType,
        plate: draft.body.vehicle.plate,
        status: placed.status,
        siret: draft.body.customer.kind === 'company' ? draft.body.customer.siret : null,
        savedAt: Date.now(),
      });
      await db.drafts.update(draft.id, { status: 'submitted', reference: placed.reference, message: null });
      done.push({ ...draft, status: 'submitted', reference: placed.reference });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NETWORK') {
        await db.drafts.update(draft.id, { status: 'pending' });
        break;
      }
      const slotGone = error instanceof ApiError && SLOT_GONE_CODES.has(error.code);
      const message = slotGone
        ? `Le créneau du ${draft.body.start.replace('T', ' à ')} chez ${draft.centreName} a été pris pendant que vous étiez hors connexion. Choisissez un autre créneau.`
        : error instanceof ApiError
          ? error.message
          : 'La réservation n’a pas pu être envoyée.';
      await db.drafts.update(draft.id, { status: slotGone ? 'slot_taken' : 'failed', message });
      done.push({ ...draft, status: slotGone ? 'slot_taken' : 'failed', message });
    }
  }
  return done;
}
