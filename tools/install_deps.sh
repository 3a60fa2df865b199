#!/usr/bin/env bash
# Installs the Debian packages crnn-ocr builds and tests with (python3-requests: the server test
# drives the service with the original Python client; g++-aarch64-linux-gnu and qemu-user: the
# aarch64 cross build and its emulated test run, tools/cross_test.sh; qemu-user also runs the
# static build on emulated x86-64 CPUs; nginx, curl, file, podman, runc: the deployment tests in
# tests/deploy/).
# Safe to run again.
set -euo pipefail
pkgs=(cmake g++ make pkg-config libeigen3-dev libstb-dev nlohmann-json3-dev patch
      libgtest-dev libbenchmark-dev python3-requests g++-aarch64-linux-gnu qemu-user
      nginx curl file podman runc)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
