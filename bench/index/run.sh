#!/usr/bin/env bash
# Measures the chunk index (Sources/ChunkStore/Index) on synthetic repositories of 1M and 10M chunks:
# cold open (index files → sorted, memory-mapped cache segment), warm open (cache reused), lookups of present
# and absent ids, filter false positives, resident memory per chunk; and the plain Dictionary it replaced.
# Usage: bench/index/run.sh [chunk counts...]   (default: 1000000 10000000). Each measurement is its own process.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product RepositoryBench >/dev/null
bench=.build/release/RepositoryBench
work=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-index-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1000000 10000000)
for chunks in "${counts[@]}"; do
    echo "== $chunks chunks"
    echo "cold   $($bench index open "$work/$chunks" "$chunks")"
    echo "warm   $($bench index open "$work/$chunks" "$chunks")"
    echo "memory $($bench index open memory "$chunks")"
    echo "dict   $($bench index dictionary "$chunks")"
    echo "cache  $(du -sb "$work/$chunks" | cut -f1) bytes on disk"
done
