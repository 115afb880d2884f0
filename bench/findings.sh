#!/usr/bin/env bash
# Time two iamlint builds on a tree with many findings, in every output format, interleaved.
#
#   bench/findings.sh OLD_BINARY NEW_BINARY TREE [RUNS]
#
# TREE is `gen_corpus.py --size large --seed 1` (about 120,000 findings in its `services/`
# folder). For each row (the whole tree, or `services/`, in one format) the two builds run
# alternately RUNS times (default 3), stdout to /dev/null, under GNU time: the median wall time
# and the median peak RSS are printed as a markdown table, next to the floor
# (`find . -type f | xargs cat`, median of RUNS) of the same tree.
set -euo pipefail
OLD=$1 NEW=$2 TREE=$3 RUNS=${4:-3}
TIME=/usr/bin/time
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
once() {  # once CMD...: prints "wall_s peak_kib"
  "$TIME" -f '%e %M' -o /tmp/findings-bench.$$ "$@" >/dev/null 2>/dev/null || true
  # GNU time writes "Command exited with non-zero status 1" first when iamlint finds something.
  tail -n 1 /tmp/findings-bench.$$
}
cd "$TREE"
find . -type f -print0 | xargs -0 cat >/dev/null  # warm the page cache
floor=$(for _ in $(seq "$RUNS"); do once bash -c 'find . -type f -print0 | xargs -0 cat >/dev/null' | cut -d' ' -f1; done | median)
services_floor=$(for _ in $(seq "$RUNS"); do once bash -c 'find services -type f -print0 | xargs -0 cat >/dev/null' | cut -d' ' -f1; done | median)
echo "floor (find . -type f | xargs cat): whole tree ${floor} s, services/ ${services_floor} s"
echo
echo "| tree | format | old wall | old peak RSS | new wall | new peak RSS | new / floor | findings (new) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for where in . services; do
  for format in compact github json sarif human; do
    : > /tmp/findings-old.$$; : > /tmp/findings-new.$$
    for _ in $(seq "$RUNS"); do
      once "$OLD" --color never --format "$format" "$where" >> /tmp/findings-old.$$
      once "$NEW" --color never --format "$format" "$where" >> /tmp/findings-new.$$
    done
    ow=$(cut -d' ' -f1 /tmp/findings-old.$$ | median); om=$(cut -d' ' -f2 /tmp/findings-old.$$ | median)
    nw=$(cut -d' ' -f1 /tmp/findings-new.$$ | median); nm=$(cut -d' ' -f2 /tmp/findings-new.$$ | median)
    fl=$([ "$where" = . ] && echo "$floor" || echo "$services_floor")
    # iamlint exits 1 when it finds something: under pipefail that would end the script.
    n=$({ "$NEW" --format compact "$where" 2>/dev/null || true; } | wc -l)
    printf '| %s | %s | %s s | %d MiB | %s s | %d MiB | %.2f× | %s |\n' \
      "$([ "$where" = . ] && echo whole || echo services/)" "$format" "$ow" $((om / 1024)) "$nw" $((nm / 1024)) \
      "$(echo "$nw / $fl" | bc -l)" "$n"
  done
done
rm -f /tmp/findings-bench.$$ /tmp/findings-old.$$ /tmp/findings-new.$$
