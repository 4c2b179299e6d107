# member-graph API image: the compiled server (what `npm start` runs) on Node 20, production dependencies only.
# Written to be correct but NOT built or run in CI: this machine has no container runtime or image registry
# (docs/OPERATIONS.md, "Several instances"). The topology it is meant for is tested without containers by
# test/faults/topology.test.ts (haproxy + PgBouncer + two processes).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY schema ./schema
COPY scripts/start.mjs ./scripts/start.mjs
# The issuer keys live in DATA_DIR/keys: mount one volume shared by every instance (or set AUTH_JWKS_URL).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=2s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node directly (not npm): SIGTERM reaches the server's own graceful shutdown.
CMD ["node", "dist/src/main.js"]
