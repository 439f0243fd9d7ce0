#!/usr/bin/env bash
# Step of the composite actions: decides where onnxruntime-node lives on this runner and whether
# it is already there. Outputs dir, key (for actions/cache) and installed (true: skip the install).
set -euo pipefail
out="${GITHUB_OUTPUT:-/dev/stdout}"
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
if [ -n "${GIVEN_DIR:-}" ]; then
  dir="$GIVEN_DIR"
elif [ -n "${EDGEML_RUNTIME_DIR:-}" ]; then
  dir="$EDGEML_RUNTIME_DIR"
else
  dir="${RUNNER_TOOL_CACHE:-$HOME/.cache}/edgeml-onnxruntime/$VERSION/$os-$arch"
fi
installed=false
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
  installed=true
elif [ -n "${GIVEN_DIR:-}" ]; then
  echo "::error::runtime-dir '$GIVEN_DIR' has no node_modules/onnxruntime-node; install it there with 'npm install --prefix $GIVEN_DIR onnxruntime-node@$VERSION' or leave runtime-dir empty"
  exit 2
fi
{
  echo "dir=$dir"
  echo "key=edgeml-onnxruntime-node-$VERSION-$os-$arch"
  echo "installed=$installed"
} >> "$out"
