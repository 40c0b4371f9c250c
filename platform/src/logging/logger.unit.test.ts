import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactPersonalData, withCorrelation } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with level label, time and service', () => {
    const { lines, destination } = capture();
    createLogger({ destination, service: 'write-side' }).info({ centreId: 'c-1' }, 'booked');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'write-side', centreId: 'c-1', msg: 'booked' });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('honours the level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });

  it('stamps the correlation id on every line of a correlated child', () => {
    const { lines, destination } = capture();
    const logger = withCorrelation(createLogger({ destination }), 'corr-42');
    logger.info('one');
    logger.child({ step: 2 }).info('two');
    expect(lines.map((line) => line.correlationId)).toEqual(['corr-42', 'corr-42']);
  });

  it('masks personal keys at any depth, in log objects and in child bindings', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination }).child({ customerEmail: 'a@b.fr' });
    logger.info(
      {
        bookingId: 'b-1',
        streamName: 'booking-b-1',
        customer: {
          email: 'jean@exemple.fr',
          phone: '+33612345678',
          first_name: 'Jean',
          lastName: 'Dupont',
          name: 'Jean Dupont',
        },
        vehicles: [{ plate: 'AB-123-CD', category: 'VP' }],
        licencePlate: 'AB-123-CD',
        password: 'hunter2',
      },
      'placed',
    );
    expect(lines[0]).toMatchObject({
      customerEmail: REDACTED,
      bookingId: 'b-1',
      streamName: 'booking-b-1',
      customer: {
        email: REDACTED,
        phone: REDACTED,
        first_name: REDACTED,
        lastName: REDACTED,
        name: REDACTED,
      },
      vehicles: [{ plate: REDACTED, category: 'VP' }],
      licencePlate: REDACTED,
      password: REDACTED,
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/jean|Dupont|AB-123-CD|hunter2|a@b\.fr/i);
  });

  it('still serializes errors', () => {
    const { lines, destination } = capture();
    createLogger({ destination }).error({ err: new Error('boom') }, 'failed');
    expect(lines[0]?.err).toMatchObject({ type: 'Error', message: 'boom' });
  });
});

describe('redactPersonalData', () => {
  it('leaves null values and non-personal keys alone and survives cycles', () => {
    const cyclic: Record<string, unknown> = { email: null, hostname: 'h', count: 2 };
    cyclic.self = cyclic;
    const out = redactPersonalData(cyclic);
    expect(out).toMatchObject({ email: null, hostname: 'h', count: 2 });
  });
});
