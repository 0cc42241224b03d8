#!/bin/sh
# Prints the extension id that Chrome derives from the "key" in apps/extension/manifest.json: the first
# 32 hex digits of the SHA-256 of the DER public key, with 0-9a-f mapped to a-p.
set -eu
manifest="${1:-$(dirname "$0")/../manifest.json}"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$manifest" \
  | base64 -d | sha256sum | cut -c1-32 | tr 0-9a-f a-p
