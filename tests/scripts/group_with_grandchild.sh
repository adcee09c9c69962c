#!/bin/sh
# Leader of a process group with a sleeping grandchild.
# $1: file that receives the grandchild's pid. $2 (optional), any of these words:
#   stubborn  ignore SIGINT/SIGTERM (inherited by the grandchild)
#   quiet     the grandchild does not hold our stdout/stderr
#   leave     exit at once, leaving the grandchild behind
case "$2" in *stubborn*) trap '' INT TERM ;; esac
case "$2" in
  *quiet*) sleep 1000 >/dev/null 2>&1 & ;;
  *) sleep 1000 & ;;
esac
echo $! > "$1.tmp" && mv "$1.tmp" "$1"
echo ready
case "$2" in *leave*) exit 0 ;; esac
wait
