# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript in a full image, run the compiled gateway as a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY policies ./policies
USER node
EXPOSE 8443 9464
# The admin listener defaults to 127.0.0.1:9464, which is reachable from inside the container.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Mount the config at /etc/eas-gateway/gateway.yaml. SIGTERM drains (held Pings answered Status 1):
# give the orchestrator a termination grace longer than timeouts.drainGrace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/bin/gateway.js"]
CMD ["serve", "-c", "/etc/eas-gateway/gateway.yaml"]
