#!/bin/sh
# Much more output on both pipes than a pipe buffer holds, to prove neither pipe can block the child.
i=0
while [ $i -lt 20000 ]; do
  echo "out line $i"
  echo "err line $i" >&2
  i=$((i + 1))
done
