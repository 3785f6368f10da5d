# Tourniquet's image: one image, two roles — `--only=api` (API and console) or `--only=worker`.
# Build: docker build -t tourniquet . ; runs against a Temporal cluster (TEMPORAL_ADDRESS).

# Stage 1: the console and the workflow bundle (built-in runbooks, plus any directory given
# as TOURNIQUET_RUNBOOKS at build time), built with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the postinstall builds the Temporal CLI for `npm start`; an image needs none.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
ARG TOURNIQUET_RUNBOOKS=""
RUN npm run build:console && npm run build:workflows -- dist/workflow-bundle.js

# Stage 2: runtime dependencies only, the sources, and what stage 1 built.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TOURNIQUET_DATA_DIR=/tmp/tourniquet \
    TOURNIQUET_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY activities ./activities
COPY api ./api
COPY common ./common
COPY config ./config
COPY domain ./domain
COPY runbooks ./runbooks
COPY scripts/start.ts scripts/tracing-init.ts ./scripts/
COPY worker ./worker
COPY workflows ./workflows
COPY --from=build /app/console/dist ./console/dist
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
# The image's own user (uid 1000 in node images), never root.
USER node
EXPOSE 3000 9464
ENTRYPOINT ["node", "--import", "tsx", "scripts/start.ts"]
CMD ["--only=api"]
