# syntax=docker/dockerfile:1
# The relink server. Build from the repository root:  docker build -t relink .
# Runs from source with tsx, as the repository does (no separate build step for the server).

# ---- build: dependencies (better-sqlite3 compiles here), the widget and the dashboard ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@12.4.2
# better-sqlite3 builds against the image's own Node headers (no download).
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm --filter @relink/widget build \
 && pnpm --filter @relink/dashboard build \
 && pnpm store prune

# ---- runtime: no compiler, a non-root user ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    RELINK_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/app/node_modules/.bin/tsx", "packages/server/src/cli.ts"]
CMD ["serve"]
