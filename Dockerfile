# authgate: the gateway image. Build: `docker build -t authgate .` (docker-compose.yml does this for you).
#
# Node 24 (LTS) because CI runs the test suite on Node 24 (and 20): the image runs a Node line that is tested.
# The tag is pinned to an exact release so builds are repeatable; bump it on purpose (24.19.0 is the newest 24.x
# confirmed published as a bookworm-slim image when this was written).
ARG NODE_IMAGE=node:24.19.0-bookworm-slim

# --- build: all dependencies, compile src/ to dist/ ----------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only the sources change.
# `npm install --no-save` rather than `npm ci`: npm ci refuses this package-lock.json, which does not list the other
# platforms' native packages of @swc/core and unrs-resolver (the registry the project is built against does not serve
# them). npm install takes every version from the lock all the same (CI checks the installed tree against the lock).
# --ignore-scripts: no dependency needs an install script (their native parts ship prebuilt), and it is how the
# project's own machines install, so the image gets the same tree CI tested.
COPY package.json package-lock.json ./
RUN npm install --no-save --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled output only --------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The app reads config/*.json and keycloak-realm.json next to package.json (src/project-root.ts).
COPY --from=build /app/dist ./dist
COPY config ./config
COPY keycloak-realm.json ./
# Files stay owned by root: the `node` user (from the base image) can read the app but not change it.
USER node
EXPOSE 3000
# No curl in slim images: node itself asks /healthz (200 while the process lives), on PORT if it was changed.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not `npm start`: SIGTERM reaches the process (graceful stop in src/server.ts) and there is no build
# step at start.
CMD ["node", "dist/src/server.js"]
