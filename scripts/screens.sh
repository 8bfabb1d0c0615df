#!/usr/bin/env bash
# Screenshots of three role homes (window clerk, town caseworker, approver) on the demo city,
# for the docs: runs the browser test of the role homes (tests/browser/test_role_homes.py),
# which saves the first screen of every home, and keeps three of them under docs/screens/ as
# small palette PNGs.
set -euo pipefail
cd "$(dirname "$0")/.."
shots="$(mktemp -d /tmp/jiuzhu-screens.XXXXXX)"
export JIUZHU_DATA_DIR="$(mktemp -d /tmp/jiuzhu-data.XXXXXX)"
trap 'rm -rf "$shots" "$JIUZHU_DATA_DIR"' EXIT
JIUZHU_SCREENSHOTS="$shots" uv run pytest -q -p no:cacheprovider tests/browser/test_role_homes.py
mkdir -p docs/screens
uv run python - "$shots" <<'PY'
import sys
from pathlib import Path

from PIL import Image

shots = Path(sys.argv[1])
for username, name in (
    ("clerk_chengdong", "window-clerk"),
    ("caseworker_chengdong", "town-caseworker"),
    ("approver", "approver"),
):
    image = Image.open(shots / f"home-{username}.png").convert("RGB")
    out = Path("docs/screens") / f"home-{name}.png"
    image.quantize(colors=64).save(out, optimize=True)
    print(out, out.stat().st_size // 1024, "KB")
PY
