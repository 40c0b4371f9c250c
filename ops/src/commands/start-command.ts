import { loadConfig } from '@pti/platform';
import { buildPlatformServer, isRole, ROLES, type Role } from '../start/embedded-server.js';
import { openPlatformRuntime } from '../start/platform-runtime.js';
import { projectorsFromEnv } from '../start/read-side-composition.js';
import { mountSagas } from '../start/sagas-composition.js';
import { projectionLeaseFromEnv, rateLimitFromEnv } from '../start/start-settings.js';
import { staticClients } from '../start/static-clients.js';

/**
 * `pti start [role]`: `all` (default) is the embedded all-in-one platform; `write-side`, `read-api`,
 * `projections` and `sagas` compose one part each (services mode). Every role answers `/health`,
 * `/ready` and `/metrics` on PORT. Resolves once listening; stops on SIGINT/SIGTERM.
 */
export async function startCommand(roleArgument: string | undefined): Promise<void> {
  const requested = roleArgument ?? 'all';
  if (!isRole(requested)) {
    throw new Error(`unknown role ${JSON.stringify(roleArgument)}: expected one of ${ROLES.join(', ')}`);
  }
  const role: Role = requested;
  const config = loadConfig();
  const projectors = projectorsFromEnv();
  const rateLimit = rateLimitFromEnv();
  const projectionLease = projectionLeaseFromEnv();
  const runtime = await openPlatformRuntime(config, { migrate: true });
  let server: Awaited<ReturnType<typeof buildPlatformServer>>;
  try {
    server = await buildPlatformServer(runtime, {
      role,
      // Embedded mode (no OIDC issuer) creates the demo network on first start.
      seedDemo: true,
      projectors,
      projectionLease,
      rateLimit,
      mountSagas: (app, platform, parts) => mountSagas(app, platform, parts),
      serveClients: (app) => staticClients(app),
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const { app } = server;
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  runtime.logger.info(
    {
      role,
      ledger: runtime.ledger.kind,
      migrations: runtime.migrations.map((m) => ({ component: m.component, applied: m.applied.length })),
    },
    `PTI Calendar (${role}) listening on ${address} (ledger: ${runtime.ledger.kind})`,
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
