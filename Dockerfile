# The device agent as a container, for gateways running Docker and for k3s / MicroK8s nodes
# (examples/k8s/). Multi-arch from one file: the Node base image and onnxruntime-node both ship
# linux/amd64 and linux/arm64, so
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/OWNER/edgeml-agent:1 .
# Build it from a checkout: dist/ is committed, so nothing is compiled here.
FROM node:24-bookworm-slim

# onnxruntime-node's install script only fetches CUDA libraries; the CPU runtime is in the package.
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    npm_config_update_notifier=false

WORKDIR /opt/edgeml
COPY package.json package-lock.json ./
# The runtime is installed once, in its own layer; the binaries of other systems are dropped
# (the package carries macOS and Windows builds too).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
 && npm cache clean --force
COPY dist/ dist/
COPY schemas/ schemas/

# State (slots, status.json, metadata) lives on a volume; a hostPath in the DaemonSet.
RUN mkdir -p /var/lib/edgeml && chown node:node /var/lib/edgeml
VOLUME ["/var/lib/edgeml"]
# The node image's unprivileged user (uid 1000).
USER node

ENTRYPOINT ["node", "/opt/edgeml/dist/cli/index.js", "agent"]
CMD ["--help"]
