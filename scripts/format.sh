#!/usr/bin/env bash
# Formats every C++ file git knows or would add (*.cpp, *.hpp: tracked, and new files not ignored) with clang-format and .clang-format. CI uses
# Debian 12's clang-format 14 (scripts/bootstrap.sh installs it); other versions may disagree.
#   scripts/format.sh           # rewrite the files in place
#   scripts/format.sh --check   # change nothing; list every difference and fail if there is one
set -euo pipefail
cd "$(dirname "$0")/.."

CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [[ -z "$CLANG_FORMAT" ]]; then
  echo "format: clang-format not found (scripts/bootstrap.sh installs it)" >&2
  exit 1
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # New files too: a file formatted only once tracked would reach its first commit unformatted.
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp')
else # an exported tree without .git
  mapfile -t files < <(find src tests bench -name '*.cpp' -o -name '*.hpp' | sort)
fi

if [[ "${1:-}" == --check ]]; then
  if ! "$CLANG_FORMAT" --dry-run --Werror "${files[@]}"; then
    echo "format: the files above differ from .clang-format ($("$CLANG_FORMAT" --version));" \
         "scripts/format.sh rewrites them" >&2
    exit 1
  fi
else
  "$CLANG_FORMAT" -i "${files[@]}"
fi
