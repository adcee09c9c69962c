#!/bin/sh
# Where it runs and what it sees, for the env/unset_env/cwd tests.
echo "cwd=$(pwd -P)"
echo "FOO=${FOO-unset}"
echo "HOME=${HOME-unset}"
