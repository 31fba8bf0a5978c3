# The taproot-hw emulator behind its Speculos-compatible servers: REST API on 5000 and APDU TCP on
# 9999, reachable from outside the container (--host 0.0.0.0).
#
#   docker build -f docker/emulator.Dockerfile -t taproot-hw-emulator .
#   docker run --rm -p 127.0.0.1:5000:5000 -p 127.0.0.1:9999:9999 taproot-hw-emulator --model flex --app tap
#
# Arguments after the image name go to `taproot-hw emulator` (see its --help). Keep --api-port at
# 5000 or the health check below will not find the API. Written without a Docker engine at hand
# (none on the machine this was made on): test/harness/docker.test.ts checks the instructions and
# runs this ENTRYPOINT and HEALTHCHECK on the host instead.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so source edits reuse this layer. Install scripts wait for the sources (the
# package's `prepare` builds them); node-hid's prebuilt binary is not needed inside a container.
COPY package.json package-lock.json ./
RUN npm ci --include=dev --ignore-scripts && npm cache clean --force

COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY apdu ./apdu
COPY bitcoin ./bitcoin
COPY assets ./assets
COPY devices ./devices
COPY emulator ./emulator
COPY host ./host
COPY harness ./harness
COPY cli ./cli
# Compile to dist/ (what bin/taproot-hw.js runs), then drop the build tools.
RUN npm run build && npm prune --omit=dev

USER node
EXPOSE 5000 9999

HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:5000/events').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/taproot-hw.js", "emulator", "--host", "0.0.0.0"]
