#!/usr/bin/env bash
# Installs what a fresh machine lacks for salonwatch, and nothing twice:
#   Debian packages (ffmpeg, ClickHouse, Java 17, GStreamer's RTSP server, Chromium),
#   the demo footage (vtest.avi from Debian's opencv-doc), npm dependencies (npm ci),
#   the Kafka broker jars from Maven Central (infra/kafka/pom.xml).
# Safe to re-run: each step checks first. Used by `npm test`, `npm run demo` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=${SALONWATCH_STATE_DIR:-$ROOT/.state}
mkdir -p "$STATE"
say() { printf '[bootstrap] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages.
packages=(
  ffmpeg                          # ingest: sampling camera streams
  clickhouse-server clickhouse-client
  openjdk-17-jre-headless maven   # the Kafka broker and the tool that fetches its jars
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad  # camera simulator
  chromium                        # browser test of the web app
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Demo footage: only vtest.avi out of opencv-doc (the whole package is ~96 MB installed).
VTEST=usr/share/doc/opencv-doc/examples/data/vtest.avi
if [ ! -f "/$VTEST" ] && [ ! -f "$STATE/footage/$VTEST" ]; then
  say "fetching the demo footage (vtest.avi from Debian's opencv-doc)"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -q opencv-doc >/dev/null 2>&1 || { as_root apt-get update -q >/dev/null && apt-get download -q opencv-doc >/dev/null; })
  mkdir -p "$STATE/footage"
  dpkg-deb --fsys-tarfile "$tmp"/opencv-doc_*.deb | tar -x -C "$STATE/footage" "./$VTEST"
  rm -rf "$tmp"
fi

# 3. npm dependencies, when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 4. Kafka broker jars from Maven Central, for the version pinned in infra/kafka/pom.xml.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' infra/kafka/pom.xml)
if [ ! -f "$STATE/kafka/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central"
  rm -rf "$STATE/kafka/libs"
  mvn -q -B -f infra/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$STATE/kafka/libs" >/dev/null
fi
# 5. Python test tools (schemathesis, chdb) in a virtualenv of their own.
PY_VENV="$STATE/py-venv"
if [ ! -f "$PY_VENV/.installed" ] || [ infra/python-tools.txt -nt "$PY_VENV/.installed" ]; then
  say "installing Python test tools (infra/python-tools.txt)"
  python3 -m venv "$PY_VENV"
  "$PY_VENV/bin/pip" install -q --disable-pip-version-check -r infra/python-tools.txt
  touch "$PY_VENV/.installed"
fi
say "ready"
