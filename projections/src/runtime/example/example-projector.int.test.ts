import { eventSamples } from '@pti/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProjectionSpec, type ProjectionSpec } from '../testing/projection-spec.js';
import { exampleProjector } from './example-projector.js';

describe('example projector (the model spec to copy)', () => {
  let spec: ProjectionSpec;
  beforeAll(async () => {
    spec = await openProjectionSpec(exampleProjector);
  });
  afterAll(() => spec.close());

  const registered = { type: 'CentreRegistered', data: eventSamples.CentreRegistered } as const;
  const centreId = eventSamples.CentreRegistered.centreId;

  it('given a registration then one active row carrying the tenant', async () => {
    const run = await spec.given([registered]);
    expect(await run.rows('example_centres')).toEqual([
      { tenant_id: 'tenant-a', centre_id: centreId, name: registered.data.name, city: 'Lyon', active: true },
    ]);
  });

  it('given a registration and a deactivation, when reactivated, then active again', async () => {
    const run = await spec.given([
      registered,
      {
        type: 'CentreDeactivated',
        data: { centreId, reason: 'Travaux' },
        metadata: { tenantId: 'tenant-a' },
      },
    ]);
    expect(await run.rows('example_centres', ['active'])).toEqual([{ active: false }]);
    await run.when([{ type: 'CentreReactivated', data: { centreId } }]);
    expect(await run.rows('example_centres', ['centre_id', 'active'])).toEqual([
      { centre_id: centreId, active: true },
    ]);
  });
});
