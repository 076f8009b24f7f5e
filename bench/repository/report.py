#!/usr/bin/env python3
"""Prints bench/repository's table from its results file (lines: `tool phase seconds peakKiB`, `corpus round bytes`,
`tool stored bytes`), with each tool's ratio to restic."""
import collections, sys

results, rounds = sys.argv[1], int(sys.argv[2])
corpus, timing, stored, differs = {}, collections.defaultdict(dict), {}, set()
for line in open(results):
    parts = line.split()
    if parts[1] == "restore-differs":
        differs.add(parts[0])
    elif parts[0] == "corpus":
        corpus[int(parts[1])] = int(parts[2])
    elif parts[1] == "stored":
        stored[parts[0]] = int(parts[2])
    else:
        timing[parts[0]][parts[1]] = (float(parts[2]), int(parts[3]))

MB = 1 << 20
rows = []
for tool in ["lifeboat", "restic", "borg"]:
    t = timing[tool]
    first = corpus[0] / MB / max(t["ingest0"][0], 0.001)
    incremental_seconds = sum(t[f"ingest{r}"][0] for r in range(1, rounds + 1))
    incremental = sum(corpus[r] for r in range(1, rounds + 1)) / MB / max(incremental_seconds, 0.001) if rounds else 0
    restore = corpus[rounds] / MB / max(t["restore"][0], 0.001)
    check = t["check"][0] if "check" in t else None
    rss = max(v[1] for v in t.values()) / 1024
    rows.append((tool, first, incremental, stored[tool] / MB, restore, check, rss))

base = rows[1]
def ratio(value, reference, higher_is_better=True):
    if value is None or reference in (None, 0):
        return "n/a"
    return f"{value / reference:.2f}x"

print(f"corpus: {corpus[0] / MB:.0f} MiB, then {rounds} rounds of edits (last: {corpus[rounds] / MB:.0f} MiB)")
print(f"{'tool':10} {'ingest MB/s':>12} {'incr. MB/s':>11} {'stored MiB':>11} {'restore MB/s':>13} {'check s':>8} {'peak RSS MiB':>13}")
for tool, first, incremental, size, restore, check, rss in rows:
    check_text = f"{check:8.1f}" if check is not None else f"{'n/a':>8}"
    print(f"{tool:10} {first:12.1f} {incremental:11.1f} {size:11.1f} {restore:13.1f} {check_text} {rss:13.1f}")
tool, first, incremental, size, restore, check, rss = rows[0]
print(f"lifeboat / restic: ingest {ratio(first, base[1])}, incremental {ratio(incremental, base[2])}, "
      f"stored {ratio(size, base[3])}, restore {ratio(restore, base[4])}, check {ratio(check, base[5])}, RSS {ratio(rss, base[6])}")
for tool in sorted(differs):
    print(f"WARNING: {tool}'s restore differs from the corpus")
