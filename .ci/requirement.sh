#!/usr/bin/env bash
# Print one pin of a lock file with its hash lines, as the lock writes them (lines continued with
# "\"), for installing that package alone, hash-checked:
#   .ci/requirement.sh NAME LOCK
set -euo pipefail
name=$1 lock=$2
awk -v pin="^${name}==" '$0 ~ pin { on = 1 } on { print } on && !/\\$/ { exit }' "$lock"
