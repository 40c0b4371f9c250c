import type { ControlType, Fuel, InspectionResult, PriceEntry, VehicleCategory } from '@pti/events';
import { DomainError, daysBetweenLocalDates } from '../shared/index.js';

/**
 * Prices (integer euro cents) from a centre's price list (`PriceListSet.entries`), and the free
 * contre-visite rule of the booking policy.
 */

/**
 * The list price of a combination: the entry for the exact fuel wins, else the entry with
 * `fuel: null` (the price for any fuel without its own entry), else `undefined`.
 */
export function findListPrice(
  entries: readonly PriceEntry[],
  controlType: ControlType,
  category: VehicleCategory,
  fuel: Fuel,
): number | undefined {
  let fallback: number | undefined;
  for (const entry of entries) {
    if (entry.controlType !== controlType || entry.vehicleCategory !== category) continue;
    if (entry.fuel === fuel) return entry.priceCents;
    if (entry.fuel === null && fallback === undefined) fallback = entry.priceCents;
  }
  return fallback;
}

/**
 * The list price of a combination. Throws `DomainError` `NOT_PRICED` when the list has no entry
 * for it: per `PriceListSet`, a combination without a price cannot be booked at that centre.
 */
export function listPriceCents(
  entries: readonly PriceEntry[],
  controlType: ControlType,
  category: VehicleCategory,
  fuel: Fuel,
): number {
  const price = findListPrice(entries, controlType, category, fuel);
  if (price === undefined) {
    throw new DomainError('NOT_PRICED', `no price for ${controlType} ${category} (${fuel}) at this centre`, {
      controlType,
      category,
      fuel,
    });
  }
  return price;
}

/** The contre-visite that follows each control type after an S or R result (none after a CV). */
export const CONTRE_VISITE_OF: Readonly<Record<ControlType, ControlType | null>> = {
  CTP: 'CVP',
  CVP: 'CVP',
  CV: null,
  CTC: 'CVC',
  CVC: 'CVC',
};

export function isContreVisite(controlType: ControlType): boolean {
  return controlType === 'CVP' || controlType === 'CVC';
}

/**
 * The last completed inspection of the same vehicle in the same network (any of its centres), as
 * the handler found it in the bookings read model; the domain only judges it.
 */
export interface PreviousInspection {
  readonly bookingId: string;
  readonly centreId: string;
  readonly controlType: ControlType;
  readonly result: InspectionResult;
  /** Local date of the control (the day of its appointment). */
  readonly date: string;
  /** Normalised plate of the inspected vehicle. */
  readonly plate: string;
}

export interface ContreVisiteRequest {
  readonly controlType: ControlType;
  /** Normalised plate of the vehicle to be inspected. */
  readonly plate: string;
  /** Local date of the contre-visite's appointment. */
  readonly date: string;
}

/**
 * Whether a contre-visite is free: the performing centre's policy grants `freeContreVisiteDays` > 0,
 * and the same vehicle's previous inspection in the network called for this contre-visite (result S
 * or R of a control that has one) at most that many days before the appointment. The previous
 * inspection may have been in another centre of the network: the policy that applies is the one of
 * the centre doing the contre-visite (it is the one that gives its time away).
 */
export function isFreeContreVisite(
  request: ContreVisiteRequest,
  freeContreVisiteDays: number,
  previous: PreviousInspection | null,
): boolean {
  if (!isContreVisite(request.controlType) || freeContreVisiteDays <= 0 || previous === null) return false;
  if (previous.plate !== request.plate) return false;
  if (previous.result === 'A') return false;
  if (CONTRE_VISITE_OF[previous.controlType] !== request.controlType) return false;
  const days = daysBetweenLocalDates(previous.date, request.date);
  return days >= 0 && days <= freeContreVisiteDays;
}

export interface PriceQuery extends ContreVisiteRequest {
  readonly category: VehicleCategory;
  readonly fuel: Fuel;
}

export interface PriceTerms {
  readonly priceList: readonly PriceEntry[];
  readonly freeContreVisiteDays: number;
}

export interface PriceQuote {
  /** What the customer pays, in cents. */
  readonly priceCents: number;
  /** The price list's price, in cents, before the free contre-visite rule. */
  readonly listPriceCents: number;
  readonly freeContreVisite: boolean;
}

/**
 * The price of a control at a centre. The combination must be priced even when the contre-visite
 * turns out free (`NOT_PRICED` otherwise): an unpriced combination is not offered by the centre.
 */
export function quotePrice(
  query: PriceQuery,
  terms: PriceTerms,
  previous: PreviousInspection | null,
): PriceQuote {
  const listPrice = listPriceCents(terms.priceList, query.controlType, query.category, query.fuel);
  const free = isFreeContreVisite(query, terms.freeContreVisiteDays, previous);
  return { priceCents: free ? 0 : listPrice, listPriceCents: listPrice, freeContreVisite: free };
}
