// @vitest-environment jsdom
import { cleanup, render, renderHook, screen, waitFor } from '@testing-library/react';
import { type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { placeDraft } from '../storage/draft-sync.js';
import { ApiError, type HeldSlot, type HoldBody, type PlaceBookingBody, type PlacedBooking } from './api.js';
import { type SlotHoldPorts, useSlotHold } from './slot-hold.js';

afterEach(cleanup);

const NOW = Date.parse('2026-11-24T10:00:00Z');
const body = (fuel: 'Essence' | 'Diesel' = 'Essence'): HoldBody => ({
  centreId: 'lyon-gerland',
  start: '2026-11-26T09:00',
  controlType: 'CTP',
  vehicle: { category: 'VP', fuel },
});

function heldFor(request: HoldBody, id: string): HeldSlot {
  return {
    holdId: id,
    bookingId: `b-${id}`,
    holdToken: `token-${id}`,
    centreId: request.centreId,
    start: request.start,
    end: '2026-11-26T09:45',
    durationMinutes: 45,
    inspectorId: 'insp-1',
    overbooked: false,
    listPriceCents: 7800,
    holdExpiresAt: new Date(NOW + 15 * 60_000).toISOString(),
  };
}

function memoryStorage(): SlotHoldPorts['storage'] & { readonly size: () => number } {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    size: () => items.size,
  };
}

function fakePorts(options: { fail?: ApiError; now?: number } = {}) {
  let next = 0;
  const storage = memoryStorage();
  const hold = vi.fn(async (request: HoldBody) => {
    if (options.fail) throw options.fail;
    next += 1;
    return heldFor(request, `h${next}`);
  });
  const release = vi.fn(async () => ({}));
  const ports: SlotHoldPorts = { hold, release, now: () => options.now ?? NOW, storage };
  return { ports, hold, release, storage };
}

function Probe({ ports }: { ports: SlotHoldPorts }) {
  const state = useSlotHold(body(), true, ports);
  return <p>{state.kind === 'failed' ? state.error.message : state.kind}</p>;
}

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>;

describe('useSlotHold: picking a slot holds it', () => {
  it('asks once for the hold when the page opens, even under StrictMode, and reports it', async () => {
    const { ports, hold } = fakePorts();
    const { result } = renderHook(() => useSlotHold(body(), true, ports), { wrapper: strict });
    expect(result.current.kind).toBe('holding');
    await waitFor(() => expect(result.current.kind).toBe('held'));
    expect(hold).toHaveBeenCalledTimes(1);
    expect(result.current).toMatchObject({ hold: { holdId: 'h1', holdToken: 'token-h1' } });
  });

  it('finds the running hold again after a reload instead of asking for another', async () => {
    const { ports, hold } = fakePorts();
    const first = renderHook(() => useSlotHold(body(), true, ports));
    await waitFor(() => expect(first.result.current.kind).toBe('held'));
    first.unmount();
    const again = renderHook(() => useSlotHold(body(), true, ports));
    await waitFor(() => expect(again.result.current).toMatchObject({ kind: 'held', hold: { holdId: 'h1' } }));
    expect(hold).toHaveBeenCalledTimes(1);
  });

  it('a hold run out is not reused: a new one is asked for', async () => {
    const { ports, hold, storage } = fakePorts();
    const first = renderHook(() => useSlotHold(body(), true, ports));
    await waitFor(() => expect(first.result.current.kind).toBe('held'));
    first.unmount();
    const later = { ...ports, now: () => NOW + 16 * 60_000 };
    const again = renderHook(() => useSlotHold(body(), true, later));
    await waitFor(() => expect(again.result.current).toMatchObject({ kind: 'held', hold: { holdId: 'h2' } }));
    expect(hold).toHaveBeenCalledTimes(2);
    expect(storage.size()).toBe(1);
  });

  it('another fuel lets go of the old hold and holds the slot for the new vehicle', async () => {
    const { ports, hold, release } = fakePorts();
    const { result, rerender } = renderHook(({ fuel }) => useSlotHold(body(fuel), true, ports), {
      initialProps: { fuel: 'Essence' as 'Essence' | 'Diesel' },
    });
    await waitFor(() => expect(result.current.kind).toBe('held'));
    rerender({ fuel: 'Diesel' });
    await waitFor(() => expect(result.current).toMatchObject({ kind: 'held', hold: { holdId: 'h2' } }));
    expect(hold).toHaveBeenLastCalledWith(body('Diesel'), expect.any(String));
    expect(release).toHaveBeenCalledWith(expect.objectContaining({ holdId: 'h1' }));
  });

  it('offline, nothing is held; back online, the slot is held', async () => {
    const { ports, hold } = fakePorts();
    const { result, rerender } = renderHook(({ online }) => useSlotHold(body(), online, ports), {
      initialProps: { online: false },
    });
    expect(result.current.kind).toBe('offline');
    expect(hold).not.toHaveBeenCalled();
    rerender({ online: true });
    await waitFor(() => expect(result.current.kind).toBe('held'));
    // Going offline afterwards keeps the hold (it runs on the server).
    rerender({ online: false });
    expect(result.current.kind).toBe('held');
  });

  it('reports a slot taken meanwhile in the API’s words', async () => {
    const { ports } = fakePorts({
      fail: new ApiError(409, 'SLOT_TAKEN', 'Ce créneau vient d’être pris. Choisissez-en un autre.'),
    });
    render(<Probe ports={ports} />);
    await screen.findByText('Ce créneau vient d’être pris. Choisissez-en un autre.');
  });
});

describe('placeDraft: a draft made while holding', () => {
  const draft: PlaceBookingBody = {
    centreId: 'lyon-gerland',
    start: '2026-11-26T09:00',
    controlType: 'CTP',
    vehicle: { plate: 'AB-123-CD', category: 'VP', fuel: 'Essence' },
    customer: { kind: 'private', name: 'Camille Martin', email: 'c@example.fr', phone: '0612345678' },
    channel: 'web',
    paymentMode: 'on_site',
    hold: { id: 'h1', token: 'token-h1' },
  };
  const placed = { reference: 'K7M4-QX2P' } as PlacedBooking;

  it('books on the hold while it runs', async () => {
    const place = vi.fn(async () => placed);
    await expect(placeDraft(draft, 'key-1', place)).resolves.toBe(placed);
    expect(place).toHaveBeenCalledTimes(1);
    expect(place).toHaveBeenCalledWith(draft, 'key-1');
  });

  it('asks for the same slot again, without the hold, when the hold ran out meanwhile', async () => {
    const place = vi
      .fn<(body: PlaceBookingBody, key: string) => Promise<PlacedBooking>>()
      .mockRejectedValueOnce(new ApiError(409, 'HOLD_EXPIRED', 'expiré'))
      .mockResolvedValueOnce(placed);
    await expect(placeDraft(draft, 'key-2', place)).resolves.toBe(placed);
    const { hold: _hold, ...plain } = draft;
    expect(place).toHaveBeenLastCalledWith(plain, 'key-2-sans-retenue');
  });

  it('passes a slot taken through, for the draft’s message', async () => {
    const place = vi.fn(async () => {
      throw new ApiError(409, 'SLOT_TAKEN', 'pris');
    });
    await expect(placeDraft(draft, 'key-3', place)).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
    expect(place).toHaveBeenCalledTimes(1);
  });
});
