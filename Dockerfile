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
# serve, check and healthcheck read this file when no -c is given: mount the config here, or set
# EAS_GATEWAY_CONFIG to another path and the HEALTHCHECK follows it.
ENV EAS_GATEWAY_CONFIG=/etc/eas-gateway/gateway.yaml
# `gateway healthcheck` reads admin.listen from that config and asks /healthz on that port (a
# wildcard host is probed on loopback), so the check follows the configured admin port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/bin/gateway.js", "healthcheck", "--timeout", "3s"]
# SIGTERM drains (held Pings answered Status 1): give the orchestrator a termination grace longer
# than timeouts.drainGrace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/bin/gateway.js"]
CMD ["serve"]
