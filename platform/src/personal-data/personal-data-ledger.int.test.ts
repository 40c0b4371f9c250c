import { describeLedgerContract } from '../ledger/ledger-contract.js';
import { createPgliteLedger } from '../ledger/postgres/pglite-ledger.js';
import { generateMasterKeyBase64, masterKeyFromBase64 } from './master-key.js';
import { createMemoryKeyStore } from './memory-key-store.js';
import { withPersonalData } from './personal-data-codec.js';
import { createVault } from './vault.js';

// The decorated ledger is still a ledger: the whole contract passes through it.
describeLedgerContract('pglite with the personal-data vault', {
  async open() {
    const ledger = createPgliteLedger({ dataDir: 'memory://', pollIntervalMs: 100 });
    await ledger.migrate();
    const vault = createVault({
      store: createMemoryKeyStore(),
      masterKey: masterKeyFromBase64(generateMasterKeyBase64()),
    });
    return withPersonalData(ledger, vault);
  },
});
