#!/usr/bin/env bash
# Install uv (from PyPI) if missing and the locked environment.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install -q uv
fi
export UV_PYTHON_DOWNLOADS=never
uv sync --frozen
