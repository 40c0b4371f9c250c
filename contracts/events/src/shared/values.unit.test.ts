import { describe, expect, it } from 'vitest';
import {
  isCentreId,
  isEntityId,
  isInstant,
  isLocalDate,
  isLocalDateTime,
  isLocalTime,
  isPlate,
  normalisePlate,
} from './values.js';

describe('local dates', () => {
  it.each(['2025-01-31', '2025-02-28', '2024-02-29', '2000-02-29', '2025-04-30', '2025-12-31'])(
    'accepts %s',
    (d) => {
      expect(isLocalDate(d)).toBe(true);
    },
  );
  it.each([
    '2025-02-29',
    '1900-02-29',
    '2100-02-29',
    '2025-04-31',
    '2025-00-10',
    '2025-01-00',
    '2025-1-01',
    ' 2025-01-01',
  ])('rejects %s', (d) => {
    expect(isLocalDate(d)).toBe(false);
  });
});

describe('local times and instants', () => {
  it('checks HH:MM', () => {
    expect(['00:00', '09:30', '23:59'].every(isLocalTime)).toBe(true);
    expect(['24:00', '9:30', '09:60', '09:30:00'].some(isLocalTime)).toBe(false);
  });
  it('checks local date-times', () => {
    expect(isLocalDateTime('2025-03-14T09:30')).toBe(true);
    expect(isLocalDateTime('2025-03-14 09:30')).toBe(false);
    expect(isLocalDateTime('2025-02-30T09:30')).toBe(false);
  });
  it('checks UTC instants', () => {
    expect(isInstant(new Date(Date.UTC(2025, 2, 14, 8, 15)).toISOString())).toBe(true);
    expect(isInstant('2025-03-14T08:15:00Z')).toBe(true);
    expect(isInstant('2025-03-14T09:15:00+01:00')).toBe(false);
  });
});

describe('ids', () => {
  it('accepts lower-case UUIDs and slugs', () => {
    expect(isEntityId('3f2b9c4e-8a1d-4c5e-9f6a-0b1c2d3e4f50')).toBe(true);
    expect(isEntityId('lyon-gerland')).toBe(true);
    expect(isEntityId('3F2B9C4E-8A1D-4C5E-9F6A-0B1C2D3E4F50')).toBe(false);
    expect(isEntityId('a'.repeat(64))).toBe(true);
    expect(isEntityId('a'.repeat(65))).toBe(false);
  });
  it('keeps date-shaped suffixes out of centre ids', () => {
    expect(isCentreId('3f2b9c4e-8a1d-4c5e-9f6a-0b1c2d3e4f50')).toBe(true);
    expect(isCentreId('lyon-2025-03-14')).toBe(false);
    expect(isEntityId('lyon-2025-03-14')).toBe(true);
  });
});

describe('plates', () => {
  it.each([
    ['ab 123 cd', 'AB-123-CD'],
    ['AB123CD', 'AB-123-CD'],
    ['ab-123-cd', 'AB-123-CD'],
    ['123 abc 75', '123-ABC-75'],
    ['4521TZ2A', '4521-TZ-2A'],
    ['88 x 974', '88-X-974'],
  ])('normalises %j to %s', (input, stored) => {
    expect(normalisePlate(input)).toBe(stored);
    expect(isPlate(stored)).toBe(true);
  });
  it.each([
    'AO-123-CD',
    'SS-123-AB',
    'AB-123-SS',
    'AB-000-CD',
    'AB-123-WW',
    '123-ABC-99',
    '12345-AB-75',
    'hello',
  ])('refuses %j', (input) => {
    expect(normalisePlate(input)).toBeUndefined();
  });
  it('accepts temporary WW plates on the left', () => {
    expect(normalisePlate('ww 456 ab')).toBe('WW-456-AB');
  });
});
