#!/bin/sh
# Leader of a process group with a sleeping grandchild that shares our stdout.
# $1: file that receives the grandchild's pid. $2 (optional): "stubborn" ignores SIGINT/SIGTERM
# (inherited by the grandchild), "leave" exits at once leaving the grandchild behind.
if [ "$2" = stubborn ]; then trap '' INT TERM; fi
sleep 1000 &
echo $! > "$1.tmp" && mv "$1.tmp" "$1"
echo ready
if [ "$2" = leave ]; then exit 0; fi
wait
