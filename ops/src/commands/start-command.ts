import { loadConfig } from '@pti/platform';
import { buildEmbeddedServer } from '../start/embedded-server.js';
import { openPlatformRuntime } from '../start/platform-runtime.js';

/** `pti start`: the embedded all-in-one platform. Resolves once listening; stops on SIGINT/SIGTERM. */
export async function startCommand(): Promise<void> {
  const config = loadConfig();
  const runtime = await openPlatformRuntime(config, { migrate: true });
  // Embedded mode (no OIDC issuer) creates the demo network on first start.
  const app = await buildEmbeddedServer(runtime, { seedDemo: true });
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  runtime.logger.info(
    {
      ledger: runtime.ledger.kind,
      migrations: runtime.migrations.map((m) => ({ component: m.component, applied: m.applied.length })),
    },
    `PTI Calendar listening on ${address} (ledger: ${runtime.ledger.kind})`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'stopping');
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
