# The api and worker image (production shape). One image, two commands:
# `node --max-semi-space-size=64 --import tsx api.ts` and the same with `worker.ts` (the flag:
# src/launcher/node-flags.ts). The workflow bundle is built here once, so workers start
# without bundling (WORKFLOW_BUNDLE_PATH).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:workflows

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/workflow-bundle.js /app/dist/workflow-bundle.js
COPY api.ts worker.ts tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000
# Named volumes mounted here take this ownership on first use: the app runs as `node` and writes both.
RUN mkdir -p /data /backups && chown node:node /data /backups
USER node
EXPOSE 8000 9465
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "api.ts"]
