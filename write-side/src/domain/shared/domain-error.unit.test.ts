import { describe, expect, it } from 'vitest';
import { type Decider, foldEvents, tryDecide } from './decider.js';
import { DOMAIN_ERROR_CODES, DomainError, ensure, isDomainError } from './domain-error.js';

describe('DomainError', () => {
  it('carries a stable code, its kind and the documented meaning by default', () => {
    const error = new DomainError('SLOT_TAKEN');
    expect(error).toMatchObject({ name: 'DomainError', code: 'SLOT_TAKEN', kind: 'conflict' });
    expect(error.message).toBe(DOMAIN_ERROR_CODES.SLOT_TAKEN.meaning);
    expect(isDomainError(error)).toBe(true);
    expect(isDomainError(new Error('x'))).toBe(false);
  });

  it('documents every code with an upper-snake name and a kind', () => {
    for (const [code, { kind, meaning }] of Object.entries(DOMAIN_ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z]+(?:_[A-Z]+)*$/);
      expect(['invalid', 'not_found', 'conflict']).toContain(kind);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('ensure throws the code with details', () => {
    expect(() => ensure(false, 'DAY_FULL', 'full', { date: '2026-06-16' })).toThrowError(
      expect.objectContaining({ code: 'DAY_FULL', details: { date: '2026-06-16' } }),
    );
    expect(() => ensure(true, 'DAY_FULL')).not.toThrow();
  });
});

describe('decider helpers', () => {
  const counter: Decider<'inc' | 'fail' | 'bug', number, 'incremented', void> = {
    initialState: () => 0,
    decide: (command) => {
      if (command === 'fail') throw new DomainError('INVALID_COMMAND');
      if (command === 'bug') throw new TypeError('bug');
      return ['incremented'];
    },
    evolve: (state) => state + 1,
  };

  it('folds events and turns refusals into values, but not programming errors', () => {
    expect(foldEvents(counter, ['incremented', 'incremented'])).toBe(2);
    expect(tryDecide(counter, 'inc', 0, undefined)).toEqual({ ok: true, events: ['incremented'] });
    const refused = tryDecide(counter, 'fail', 0, undefined);
    expect(refused.ok === false && refused.error.code).toBe('INVALID_COMMAND');
    expect(() => tryDecide(counter, 'bug', 0, undefined)).toThrow(TypeError);
  });
});
