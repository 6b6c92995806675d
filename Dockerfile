# syntax=docker/dockerfile:1.7
# Loupe: one image, two commands.
#   docker run … loupe serve            the API and web app on $PORT (default command)
#   docker run … loupe pipeline run     ingest → drift → snapshot → train → evaluate → promote → register → report
# Everything Loupe writes goes to LOUPE_HOME (/var/loupe, a volume). See docs/cloud/containers.md.
# No container engine runs on the development machine: this file is checked by reading, not by building.

# Node 20 is what Loupe is developed and tested on. It left upstream support on 2026-04-30: move this to
# node:22-bookworm-slim or node:24-bookworm-slim together with the development machines and CI.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies (better-sqlite3 compiles its addon when no prebuilt binary matches), the web bundle
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build web \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies, sources (run through tsx, as `npm start` does), the built web app
FROM ${NODE_IMAGE} AS runtime
# The pipeline's xgboost kind runs scripts/train-xgboost.py with Debian's python3-xgboost; off by default (it adds
# about 150 MB), on with --build-arg WITH_XGBOOST=1 (or point LOUPE_XGBOOST_TRAINER at a cluster job instead).
ARG WITH_XGBOOST=0
RUN if [ "$WITH_XGBOOST" = 1 ]; then apt-get update \
 && apt-get install -y --no-install-recommends python3-xgboost \
 && rm -rf /var/lib/apt/lists/*; fi
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOUPE_HOME=/var/loupe \
    LOUPE_DATA=/data/diamonds.csv
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/scripts/train-xgboost.py ./scripts/train-xgboost.py
COPY --from=build /app/web/dist ./web/dist
# The image's files belong to root and are read-only to the app; only LOUPE_HOME (and /tmp, for tsx's cache) are written.
RUN mkdir -p /var/loupe && chown node:node /var/loupe
USER node
VOLUME ["/var/loupe"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/loupe.js"]
CMD ["serve"]
