import type { Accreditation, VehicleProfile } from '@pti/events';

/**
 * Which accreditations an inspector needs for a vehicle (reference/domain-ct.md): cars and light
 * utility vehicles need `VL`, motorcycles and mopeds (category L) need `L`, and LPG/CNG (`Gaz`)
 * needs `GAZ` on top. `PL` (heavy vehicles) is never bookable here.
 */
export function requiredAccreditations(vehicle: VehicleProfile): readonly Accreditation[] {
  const base: Accreditation = vehicle.category === 'Moto' || vehicle.category === 'Cyclo' ? 'L' : 'VL';
  return vehicle.fuel === 'Gaz' ? [base, 'GAZ'] : [base];
}

export function isAccreditedFor(accreditations: readonly Accreditation[], vehicle: VehicleProfile): boolean {
  return requiredAccreditations(vehicle).every((needed) => accreditations.includes(needed));
}
