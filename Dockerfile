# syntax=docker/dockerfile:1.7
#
# PTI Calendar — one image for every role (DESIGN.md §3, §9).
#
#   docker build -t pti-calendar:dev .
#   docker run --rm -p 3000:3000 -v pti-data:/var/lib/pti pti-calendar:dev           # embedded all-in-one
#   docker run --rm --env-file app.env pti-calendar:dev start write-side             # one role
#   docker run --rm --env-file app.env -e PTI_ROLE=sagas pti-calendar:dev            # the same, by variable
#   docker run --rm --env-file app.env pti-calendar:dev migrate                      # any pti command
#
# What runs: the compiled CLI, `node /app/ops/dist/cli.js` (the `pti` entrypoint below). Workspace
# packages resolve through their package.json `default` export to their `dist/`, so the runtime stage
# holds production dependencies and compiled JavaScript only: no TypeScript sources, no tsx, no dev
# tools. (`ops/bin/pti.js`, which runs the sources through tsx with the `pti-source` condition, is the
# development launcher; it is not used here.)
#
# Choosing the role: the arguments are a pti command line, `start` by default. `start` alone runs
# PTI_ROLE (default `all`: the embedded all-in-one process); `start <role>` or PTI_ROLE=<role> runs one
# of write-side | read-api | projections | sagas (services mode). Every role listens on PORT (3000)
# for /health, /ready and /metrics. (Until the CLI's `start <role>` lands, `start` ignores the role and
# runs the all-in-one.)
#
# Stages: base (manifests) → deps (npm ci, all dependencies) → build (turbo run build)
#         base → prod-deps (npm ci --omit=dev) → runtime (prod deps + every package's dist/, user node)

ARG NODE_IMAGE=node:20-bookworm-slim

# --------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1
# Manifests only, so the dependency layers stay cached until a package.json or the lockfile changes.
# Every workspace of the root package.json is listed (ops/test/dockerfile.unit.test.ts checks it).
COPY package.json package-lock.json .npmrc ./
COPY contracts/events/package.json contracts/events/
COPY platform/package.json platform/
COPY write-side/package.json write-side/
COPY projections/package.json projections/
COPY read-api/package.json read-api/
COPY sagas/package.json sagas/
COPY clients/api-client/package.json clients/api-client/
COPY clients/backoffice/package.json clients/backoffice/
COPY clients/booking/package.json clients/booking/
COPY ops/package.json ops/
# The workspace's bin target, so npm can link `pti` while installing.
COPY ops/bin/pti.js ops/bin/

# npm ci, with the fallback of .ci/run: the lockfile is written without registry addresses and, by npm
# 11, without other platforms' optional binaries (Biome, turbo), which `npm ci` refuses ("Missing: …
# from lock file"); `npm install` then installs the same locked versions for this platform. The
# packages come from the registry configured in the image (npm's default unless overridden).
FROM base AS deps
RUN --mount=type=cache,target=/root/.npm \
    if ! npm ci 2>/tmp/npm-ci.err; then \
      if grep -q "Missing: .* from lock file" /tmp/npm-ci.err; then \
        echo "npm ci refused the lockfile (optional binaries of other platforms absent); using npm install"; \
        npm install --no-audit --no-fund; \
      else \
        cat /tmp/npm-ci.err >&2; exit 1; \
      fi; \
    fi

# --------------------------------------------------------------------------------------------------
FROM deps AS build
COPY . .
RUN npx turbo run build

# --------------------------------------------------------------------------------------------------
FROM base AS prod-deps
RUN --mount=type=cache,target=/root/.npm \
    if ! npm ci --omit=dev 2>/tmp/npm-ci.err; then \
      if grep -q "Missing: .* from lock file" /tmp/npm-ci.err; then \
        echo "npm ci refused the lockfile (optional binaries of other platforms absent); using npm install"; \
        npm install --omit=dev --no-audit --no-fund; \
      else \
        cat /tmp/npm-ci.err >&2; exit 1; \
      fi; \
    fi

# --------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="pti-calendar" \
      org.opencontainers.image.description="PTI Calendar: event-sourced booking ledger for vehicle-inspection centres (all roles)"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PTI_ROLE=all \
    PTI_DATA_DIR=/var/lib/pti
WORKDIR /app

# Production node_modules (workspace links included) and the manifests, then each package's build.
# The application files stay owned by root: the runtime user can read them, not change them.
COPY --from=prod-deps /app ./
COPY --from=build /app/contracts/events/dist contracts/events/dist
COPY --from=build /app/platform/dist platform/dist
COPY --from=build /app/write-side/dist write-side/dist
COPY --from=build /app/projections/dist projections/dist
COPY --from=build /app/read-api/dist read-api/dist
COPY --from=build /app/sagas/dist sagas/dist
COPY --from=build /app/clients/api-client/dist clients/api-client/dist
COPY --from=build /app/clients/backoffice/dist clients/backoffice/dist
COPY --from=build /app/clients/booking/dist clients/booking/dist
COPY --from=build /app/ops/dist ops/dist

# `pti`: the entrypoint. Maps `start` + PTI_ROLE to `start <role>`, then runs the compiled CLI as PID 1
# (the CLI stops cleanly on SIGTERM/SIGINT).
COPY --chmod=0755 <<'EOF' /usr/local/bin/pti
#!/bin/sh
set -eu
[ "$#" -gt 0 ] || set -- start
if [ "$1" = start ] && [ "$#" -eq 1 ]; then
  case "${PTI_ROLE:-all}" in
    all) ;;
    write-side | read-api | projections | sagas) set -- start "$PTI_ROLE" ;;
    *)
      echo "pti: PTI_ROLE must be one of all, write-side, read-api, projections, sagas (got '${PTI_ROLE}')" >&2
      exit 64
      ;;
  esac
fi
exec node /app/ops/dist/cli.js "$@"
EOF

# Local state (the embedded PGlite database and key files when no DATABASE_URL / PII_MASTER_KEY is
# set): the one directory the runtime user may write. Mount a volume there to keep it.
RUN mkdir -p /var/lib/pti && chown node:node /var/lib/pti
USER node

EXPOSE 3000
# The slim image has no curl: Node's fetch asks the process's own /health.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

ENTRYPOINT ["pti"]
CMD ["start"]
