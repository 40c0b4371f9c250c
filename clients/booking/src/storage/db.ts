import { Dexie, type EntityTable } from 'dexie';
import type { PlaceBookingBody } from '../app/api.js';

/**
 * What this device remembers (IndexedDB through Dexie): the bookings made here ("Mes rendez-vous",
 * with the manage token that opens them), drafts waiting for the network, and recent searches.
 */

export interface SavedBooking {
  readonly reference: string;
  readonly bookingId: string;
  readonly manageToken: string;
  readonly email: string;
  readonly centreId: string;
  readonly centreName: string;
  readonly start: string;
  readonly controlType: string;
  readonly plate: string;
  status: string;
  /** A fleet's bookings carry its SIRET. */
  readonly siret: string | null;
  readonly savedAt: number;
}

export type DraftStatus = 'pending' | 'submitting' | 'submitted' | 'slot_taken' | 'failed';

export interface DraftBooking {
  id?: number;
  /** The command body (`POST /api/v1/bookings`) as it will be sent. */
  readonly body: PlaceBookingBody;
  readonly centreName: string;
  readonly idempotencyKey: string;
  status: DraftStatus;
  message: string | null;
  reference: string | null;
  readonly createdAt: number;
}

export interface RecentSearch {
  readonly key: string;
  readonly label: string;
  readonly search: Record<string, string | number>;
  readonly savedAt: number;
}

export const db = new Dexie('pti-booking') as Dexie & {
  bookings: EntityTable<SavedBooking, 'reference'>;
  drafts: EntityTable<DraftBooking, 'id'>;
  searches: EntityTable<RecentSearch, 'key'>;
};

db.version(1).stores({
  bookings: 'reference, savedAt, siret',
  drafts: '++id, status, createdAt',
  searches: 'key, savedAt',
});

export async function rememberSearch(search: RecentSearch): Promise<void> {
  await db.searches.put(search);
  const all = await db.searches.orderBy('savedAt').reverse().toArray();
  await db.searches.bulkDelete(all.slice(8).map((entry) => entry.key));
}
