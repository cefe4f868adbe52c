# syntax=docker/dockerfile:1
# The relink server, installed from its packed npm packages as a self-hoster would install it.
# Build from the repository root:  docker build -t relink .

# ---- build: the packages (pnpm build, pnpm pack), then `npm install` of the tarballs ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@12.4.2
# better-sqlite3 builds against the image's own Node headers (no download).
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && mkdir /tarballs \
 && for p in sdk widget dashboard server; do (cd packages/$p && pnpm pack --pack-destination /tarballs); done
# /app: a project depending on the tarballs, as `npm install @relink/server` would make it (the
# packages depend on one another by version; the overrides point those at the tarballs).
WORKDIR /app
RUN node -e ' \
  const fs = require("node:fs"); \
  const names = ["sdk", "widget", "dashboard", "server"]; \
  const file = (n) => "file:/tarballs/" + fs.readdirSync("/tarballs").find((f) => f.startsWith(`relink-${n}-`)); \
  fs.writeFileSync("package.json", JSON.stringify({ private: true, \
    dependencies: Object.fromEntries(names.map((n) => [`@relink/${n}`, file(n)])), \
    overrides: Object.fromEntries(names.map((n) => [`@relink/${n}`, `$@relink/${n}`])) }, null, 2));' \
 && npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: no compiler, no sources, a non-root user ----
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
# The command examples/consumers/test/server-cli.test.ts runs from the same packed install.
ENTRYPOINT ["/app/node_modules/.bin/relink-server"]
CMD ["serve"]
