import { describe, expect, it } from 'vitest';
import { checkPlate, normalisePlate } from './plate.js';

describe('plate validation (SIV and FNI)', () => {
  it('normalises SIV and FNI plates typed with any spacing', () => {
    expect(normalisePlate('ab 123 cd')).toEqual({ plate: 'AB-123-CD', kind: 'SIV' });
    expect(normalisePlate('ab-123-cd')).toEqual({ plate: 'AB-123-CD', kind: 'SIV' });
    expect(normalisePlate('123 abc 75')).toEqual({ plate: '123-ABC-75', kind: 'FNI' });
    expect(normalisePlate('4521TZ2A')).toEqual({ plate: '4521-TZ-2A', kind: 'FNI' });
    expect(normalisePlate('12-AB-974')).toEqual({ plate: '12-AB-974', kind: 'FNI' });
  });

  it('refuses the letters and groups SIV never issues', () => {
    expect(normalisePlate('AO-123-CD')).toBeUndefined(); // O
    expect(normalisePlate('AB-123-CI')).toBeUndefined(); // I
    expect(normalisePlate('SS-123-AB')).toBeUndefined(); // SS
    expect(normalisePlate('AB-123-WW')).toBeUndefined(); // WW on the right
    expect(normalisePlate('WW-123-AB')).toEqual({ plate: 'WW-123-AB', kind: 'SIV' }); // temporary plate
    expect(normalisePlate('AB-000-CD')).toBeUndefined();
    expect(normalisePlate('123-ABC-96')).toBeUndefined(); // no département 96
  });

  it('tells a plate being typed from a wrong one', () => {
    expect(checkPlate('')).toEqual({ status: 'empty' });
    expect(checkPlate('AB-12').status).toBe('incomplete');
    expect(checkPlate('AB-12', true).status).toBe('invalid');
    expect(checkPlate('AO-123-CD')).toMatchObject({
      status: 'invalid',
      message: expect.stringContaining('SIV'),
    });
    expect(checkPlate('AB#123')).toMatchObject({ status: 'invalid' });
    expect(checkPlate('ab123cd')).toEqual({ status: 'valid', normalised: 'AB-123-CD', kind: 'SIV' });
  });
});
