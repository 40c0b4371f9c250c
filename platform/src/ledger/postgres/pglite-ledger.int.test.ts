import { describeLedgerContract } from '../ledger-contract.js';
import { createPgliteLedger } from './pglite-ledger.js';

describeLedgerContract('pglite (embedded)', {
  async open() {
    const ledger = createPgliteLedger({ dataDir: 'memory://', pollIntervalMs: 100 });
    await ledger.migrate();
    return ledger;
  },
  appendHeldOpen: (ledger, stream, events, expected, holdMs) =>
    (ledger as ReturnType<typeof createPgliteLedger>).appendHeldOpen(stream, events, expected, holdMs),
});
