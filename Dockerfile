# syntax=docker/dockerfile:1
# One image for all four services. Pick the service at run time:
#   docker build -t complaints:latest .
#   docker run -e SERVICE=intake -e DATABASE_URL=... -e KAFKA_BROKERS=... -p 3001:3001 complaints:latest
# SERVICE is one of intake | routing | resolution | analytics; the process is
# `node services/$SERVICE/dist/main.js`. PORT defaults to the service's own (3001..3004).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- the workspace manifests alone, so dependency layers are cached until a package.json changes
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /out \
 && cp package.json package-lock.json /out/ \
 && find libs services apps -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /out/ \;

# --- build: every dependency, then tsc -b for the whole monorepo
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
# No install scripts are needed to compile (they only matter for the embedded PostgreSQL and tests).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && mkdir -p /dist \
 && for d in libs/* services/*; do mkdir -p "/dist/$d" && cp -r "$d/package.json" "$d/dist" "/dist/$d/"; done \
 && cp -r services/routing/rules services/routing/directory /dist/services/routing/ \
 && cp -r services/resolution/limits /dist/services/resolution/

# --- runtime: production dependencies of the four services only (not the embedded host's
#     PostgreSQL binaries, not the dev tools), plus the compiled libs and services
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      -w services/intake -w services/routing -w services/resolution -w services/analytics \
 && npm cache clean --force
COPY --from=build /dist/ ./

USER node
EXPOSE 3001 3002 3003 3004
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const d={intake:3001,routing:3002,resolution:3003,analytics:3004};const s=process.env.SERVICE||'';const p=process.env[s.toUpperCase()+'_PORT']||process.env.PORT||d[s];fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec: node is PID 1 and gets SIGTERM itself (the services shut down gracefully on it).
ENTRYPOINT ["/bin/sh", "-c", "case \"$SERVICE\" in intake|routing|resolution|analytics) exec node \"services/$SERVICE/dist/main.js\" ;; *) echo \"SERVICE must be one of intake, routing, resolution, analytics (got '$SERVICE')\" >&2; exit 64 ;; esac"]
