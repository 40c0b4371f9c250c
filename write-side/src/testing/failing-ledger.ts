import type { Ledger } from '@pti/platform';

/** Raised by `failingLedger` in place of an append: the process "dies" at that point. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * A ledger that refuses the appends `failWhen` picks, as if the process died just before writing
 * them; everything else goes to `inner`. `failWhen` is consulted on every append, so a test turns
 * the failure on and off.
 */
export function failingLedger(inner: Ledger, failWhen: (stream: string) => boolean): Ledger {
  return {
    kind: inner.kind,
    append: async (stream, events, expected) => {
      if (failWhen(stream)) throw new SimulatedCrash(`simulated crash before appending to ${stream}`);
      return inner.append(stream, events, expected);
    },
    readStream: (stream, options) => inner.readStream(stream, options),
    streamRevision: (stream) => inner.streamRevision(stream),
    readAll: (options) => inner.readAll(options),
    subscribe: (options, handler) => inner.subscribe(options, handler),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
