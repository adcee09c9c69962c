#!/bin/sh
# Output in a known order on both streams, ending with a partial line (no trailing newline).
echo "out 1"
echo "err 1" >&2
echo "out 2"
echo "err 2" >&2
printf 'token=%s\r\n' "$1"
printf 'partial'
