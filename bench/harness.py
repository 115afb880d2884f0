#!/usr/bin/env python3
"""Timing and reporting for bench/run.sh (standard library only).

    harness.py measure --log L --id ID --tree T --files N --runs R --cap S [--keep-out F] -- CMD...
        Runs CMD R times, stdout to /dev/null, and appends one JSON line per run to L: wall seconds
        (perf_counter around spawn and wait), user/sys CPU seconds and peak RSS from the kernel's
        account of the process (wait4: the largest single process of its tree, not a sum), exit
        status, and the CPU that *other* processes used meanwhile (from /proc/stat), in cores.
        A spawned process starts as a copy of this one, and the kernel counts that copy's peak in
        the child's (exec keeps it): each record has that floor as rss_floor_kb, and the report
        shows a peak at or below it as "≤ floor".
        A run still going after S seconds gets SIGTERM (its process group), SIGKILL 10 s later,
        and counts as timed out (exit 124). No wrapper process (`/usr/bin/time`, `timeout`)
        stands between the harness and CMD: each would add its own exec to every run.
        --keep-out F: first one untimed warm-up run whose stdout/stderr go to F and F.err (to count
        what the tool reported); without it no warm-up. A run that hits the cap ends the series.
        --pair-id P --pair-cmd "CMD2" [--pair-runs K] [--pair-settle S] [--pair-files N]: CMD2
        (iamlint, on a tree of N files, by default --files) is timed
        K times before each run of CMD (a peer) and K times after the last, logged as P. Each
        group starts S seconds (2) after the peer's run ended, with one untimed warm-up run of
        CMD2, as every series has: the first run after a peer's took 10-40 ms longer than the
        next, even 2 s later. A ratio of the two then compares runs from the same minutes: this
        machine's speed drifts between minutes (by a quarter for short runs), and a peer's
        series takes minutes.
    harness.py onefile --log L --id ID --tree T --runs R -- CMD...
        Many short runs: hyperfine (-N, 5 warm-ups) when on PATH, else a loop of R runs
        (fork+exec+wait, timed with perf_counter, after 5 warm-ups). One JSON line per run.
    harness.py report --log L --meta M
        Prints the markdown report: machine, versions, one row per measurement (median, min-max,
        peak RSS), the ratios from this log, and notes.
"""

import argparse
import json
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4]  # everything but idle and iowait (guest is inside user)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run_timed(cmd, cap, stdout, stderr):
    """Runs `cmd` once: wall seconds, and from wait4 its CPU, peak RSS and exit status (124 when
    it was stopped at the cap, 128 + N when a signal N ended it)."""
    fired = threading.Event()

    def stop(p):
        fired.set()
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 0)):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                return
            if wait and done.wait(wait):
                return

    done = threading.Event()
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, start_new_session=True)
    timer = threading.Timer(cap, stop, args=(p,))
    timer.daemon = True
    timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    code = p.returncode if p.returncode >= 0 else 128 - p.returncode
    return dict(wall=wall, user=ru.ru_utime, sys=ru.ru_stime, rss_kb=ru.ru_maxrss, rss_floor_kb=floor,
                exit=124 if fired.is_set() else code, timed_out=fired.is_set())


def append(log, rec):
    with open(log, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")


def cmd_measure(a, cmd):
    base = {"id": a.id, "tree": a.tree, "files": a.files, "cap": a.cap, "cmd": shlex.join(cmd)}
    if a.keep_out:
        with open(a.keep_out, "wb") as fo, open(a.keep_out + ".err", "wb") as fe:
            r = run_timed(cmd, a.cap, fo, fe)
        print(f"  {a.id}: warm-up {r['wall']:.2f}s exit {r['exit']}", file=sys.stderr)
        if r["timed_out"]:
            append(a.log, dict(base, run=0, wall=r["wall"], timed_out=True, exit=r["exit"], warmup=True))
            return
    pair = None
    if a.pair_cmd:
        pair = dict(base, id=a.pair_id, cmd=a.pair_cmd, paired_with=a.id, files=a.pair_files or a.files)
        pair_cmd, pair_runs = shlex.split(a.pair_cmd), [0]

    def timed(series, cmd, i, of, errf):
        la = loadavg()
        b0 = busy_jiffies()
        with open(errf, "wb") as fe:
            t = run_timed(cmd, a.cap, subprocess.DEVNULL, fe)
        b1 = busy_jiffies()
        wall, ex = t["wall"], t["exit"]
        cpu = t["user"] + t["sys"]
        others = max(0.0, (b1 - b0) / TICK - cpu) / wall if wall > 0 else 0.0
        rec = dict(series, run=i, wall=round(wall, 4), user=round(t["user"], 4), sys=round(t["sys"], 4),
                   rss_kb=t["rss_kb"], rss_floor_kb=t["rss_floor_kb"], exit=ex, timed_out=t["timed_out"],
                   others_cores=round(others, 2), loadavg=la)
        if ex not in (0, 1) and not rec["timed_out"]:
            with open(errf, errors="replace") as f:
                rec["stderr_tail"] = f.read()[-300:]
        append(a.log, rec)
        print(f"  {series['id']} run {i}/{of}: {wall:.3f}s cpu {cpu:.2f}s rss {(t.get('rss_kb') or 0) // 1024} MiB "
              f"exit {ex} others {others:.2f} cores", file=sys.stderr)
        return rec

    def paired(errf):
        # Runs started right after a peer's were slower (cause not found): a pause, then one
        # untimed warm-up run, as every series has (the first run still took 10-40 ms longer
        # than the next, even 2 s after the peer's).
        time.sleep(a.pair_settle)
        run_timed(pair_cmd, a.cap, subprocess.DEVNULL, subprocess.DEVNULL)
        for _ in range(a.pair_runs):
            pair_runs[0] += 1
            timed(pair, pair_cmd, pair_runs[0], a.pair_runs * (a.runs + 1), errf)

    with tempfile.TemporaryDirectory() as td:
        errf = os.path.join(td, "err")
        for i in range(1, a.runs + 1):
            if pair:
                paired(errf)
            if timed(base, cmd, i, a.runs, errf)["timed_out"]:
                break
        if pair:
            paired(errf)


def cmd_onefile(a, cmd):
    base = {"id": a.id, "tree": a.tree, "files": 1, "cmd": shlex.join(cmd)}
    hf = shutil.which("hyperfine")
    walls = []
    la = loadavg()
    b0, t0 = busy_jiffies(), time.perf_counter()
    if hf:
        with tempfile.TemporaryDirectory() as td:
            js = os.path.join(td, "h.json")
            subprocess.run([hf, "-N", "--warmup", "5", "--runs", str(a.runs), "-i", "--style", "basic",
                            "--export-json", js, shlex.join(cmd)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(js) as f:
                res = json.load(f)["results"][0]
            walls = res["times"]
            exits = res.get("exit_codes") or [None] * len(walls)
            cpus = [res["user"] + res["system"]] * len(walls)  # hyperfine keeps only the means
        method = "hyperfine " + subprocess.run([hf, "--version"], capture_output=True, text=True).stdout.split()[-1]
    else:
        exits, cpus = [], []
        for i in range(5 + a.runs):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            s0 = time.perf_counter()
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            w = time.perf_counter() - s0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i >= 5:
                walls.append(w)
                exits.append(p.returncode)
                cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        method = "python loop"
    # other processes' CPU over the whole series (warm-ups counted as ours, roughly)
    elapsed = time.perf_counter() - t0
    ours = sum(cpus) * (len(walls) + 5) / max(len(walls), 1)
    others = max(0.0, (busy_jiffies() - b0) / TICK - ours) / elapsed
    for i, (w, ex, c) in enumerate(zip(walls, exits, cpus), 1):
        append(a.log, dict(base, run=i, wall=round(w, 6), exit=ex, method=method, loadavg=la,
                           cpu=round(c, 6), others_cores=round(others, 2)))
    print(f"  {a.id}: median {statistics.median(walls) * 1000:.1f} ms over {len(walls)} runs ({method})",
          file=sys.stderr)


# ------------------------------------------------------------------ report

def load(log):
    rows = {}
    with open(log) as f:
        for line in f:
            r = json.loads(line)
            rows.setdefault(r["id"], []).append(r)
    out = {}
    for k, rs in rows.items():
        # the latest series of this id only (a re-run appends a new series starting at run 1)
        starts = [i for i, r in enumerate(rs) if r["run"] <= 1]
        rs = rs[starts[-1]:] if starts else rs
        timed = [r for r in rs if not r.get("warmup")]
        out[k] = {"runs": timed, "timed_out": any(r.get("timed_out") for r in rs), "first": rs[0]}
    return out


def stat(m):
    ws = [r["wall"] for r in m["runs"] if not r.get("timed_out")]
    if not ws:
        return None
    return statistics.median(ws), min(ws), max(ws)


def cpu_median(m):
    c = [r["user"] + r["sys"] for r in m["runs"] if r.get("user") is not None and not r.get("timed_out")]
    return statistics.median(c) if c else None


def fmt_s(x):
    if x < 0.1:
        return f"{x * 1000:.1f} ms"
    if x < 10:
        return f"{x:.3f} s"
    return f"{x:.1f} s"


def cmd_report(a):
    with open(a.meta) as f:
        meta = json.load(f)
    data = load(a.log)
    o = []
    o.append(f"## iamlint speed benchmark, {meta['date']}\n")
    o.append(f"Machine: {meta['cpu']}, {meta['nproc']} cores (nproc), {meta['mem']} memory; {meta['kernel']}.  ")
    o.append(f"Load average (1/5/15 min) at start: {meta['load_start']}; at end: {meta.get('load_end', '?')}.  ")
    o.append(f"iamlint: {meta['iamlint_version']} ({meta['iamlint_build']}).  ")
    o.append(f"Peers: {meta['peers']}.  ")
    o.append(f"Runs: {meta['runs_note']}. Warm page cache (every tree read once before timing, one untimed "
             f"warm-up run per tool).\n")
    o.append("| what | tree | files | runs | wall median | wall min–max | CPU (median) | peak RSS | others' CPU | reported |")
    o.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    busy = []
    for row in meta["rows"]:
        m = data.get(row["id"])
        if not m:
            o.append(f"| {row['label']} | {row['tree']} | | 0 | not run | | | | | {row.get('reported', '')} |")
            continue
        rs = m["runs"]
        s = stat(m)
        if s is None:
            cap = m["first"].get("cap")
            o.append(f"| {row['label']} | {row['tree']} | {m['first']['files']:,} | {len(rs)} | > {cap} s (cap) | timed out | | | | {row.get('reported', '')} |")
            continue
        med, lo, hi = s
        cpu = [r["user"] + r["sys"] if r.get("user") is not None else r["cpu"]
               for r in rs if r.get("user") is not None or r.get("cpu") is not None]
        rss = [r["rss_kb"] for r in rs if r.get("rss_kb")]
        oth = [r["others_cores"] for r in rs if r.get("others_cores") is not None]
        exits = sorted({str(r["exit"]) for r in rs if r.get("exit") is not None})
        rep = row.get("reported", "")
        if exits and exits != ["0"] and exits != ["1"] and row.get("show_exit", True):
            rep = (rep + "; " if rep else "") + "exit " + ",".join(exits)
        if m["timed_out"]:
            rep = (rep + "; " if rep else "") + "some runs hit the cap"
        cpu_s = fmt_s(statistics.median(cpu)) if cpu else ""
        floor = max((r.get("rss_floor_kb") or 0 for r in rs), default=0)
        rss_s = "" if not rss else f"≤ {floor / 1024:.0f} MiB" if max(rss) <= floor else f"{max(rss) / 1024:.0f} MiB"
        oth_s = f"{statistics.median(oth):.2f}" if oth else ""
        o.append(f"| {row['label']} | {row['tree']} | {m['first']['files']:,} | {len(rs)} | {fmt_s(med)} | "
                 f"{fmt_s(lo)} – {fmt_s(hi)} | {cpu_s} | {rss_s} | {oth_s} | {rep} |")
        busy.extend(oth)
    o.append("")
    o.append("Ratios (medians from this run):\n")
    o.append("| ratio | value (wall) | target | met | CPU-time ratio |")
    o.append("|---|---:|---|---|---:|")
    for r in meta["ratios"]:
        num, den = data.get(r["num"]), data.get(r.get("den", ""))
        val, bound = None, ""
        if r["kind"] == "ratio" and num and den:
            sn, sd = stat(num), stat(den)
            if sd and sn:
                val = sn[0] / sd[0]
            elif sd and num["timed_out"]:  # the peer hit its cap: the ratio is at least cap/iamlint
                val, bound = num["first"]["cap"] / sd[0], "≥ "
        elif r["kind"] == "ms" and num and stat(num):
            val = stat(num)[0] * 1000
        elif r["kind"] == "rss_mib" and num:
            rss = [x["rss_kb"] for x in num["runs"] if x.get("rss_kb")]
            val = max(rss) / 1024 if rss else None
        unit = {"ratio": "×", "ms": " ms", "rss_mib": " MiB"}[r["kind"]]
        t = r.get("target")
        if val is None:
            o.append(f"| {r['label']} | not measured | {(t + unit) if t else ''} | | |")
            continue
        cpu_ratio = ""
        if r["kind"] == "ratio" and not bound:
            cn, cd = cpu_median(num), cpu_median(den)
            if cn and cd:
                cpu_ratio = f"{cn / cd:,.0f}×" if cn / cd >= 100 else f"{cn / cd:.2f}×"
        met = ""
        if t:
            op, lim = t.split()[0], float(t.split()[1])
            met = "yes" if (val >= lim if op == "≥" else val <= lim) else "no"
        val_s = f"{val:,.0f}" if val >= 100 else f"{val:.2f}" if val < 10 else f"{val:.1f}"
        o.append(f"| {r['label']} | {bound}{val_s}{unit} | {(t + unit) if t else ''} | {met} | {cpu_ratio} |")
    o.append("")
    notes = list(meta.get("notes", []))
    notes.append("Ratios: `value` divides the wall-time medians (what a user waits); the CPU-time ratio divides "
                 "the user+system medians (the work done, less sensitive to other load, but blind to parallelism; "
                 "the kernel's CPU account is coarse for runs of a few ms).")
    if busy and statistics.median(busy) > 0.25:
        notes.insert(0, f"**Noisy**: other processes used a median {statistics.median(busy):.2f} cores of "
                        f"{meta['nproc']} during the runs; every wall time above is inflated by that, and the "
                        f"ratios are only as good as the contention was even.")
    if notes:
        o.append("Notes:\n")
        o += [f"- {n}" for n in notes]
        o.append("")
    print("\n".join(o))


def main():
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        i = argv.index("--")
        argv, cmd = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["measure", "onefile", "report"])
    ap.add_argument("--log", required=True)
    ap.add_argument("--id")
    ap.add_argument("--tree")
    ap.add_argument("--files", type=int, default=0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cap", type=int, default=600)
    ap.add_argument("--keep-out")
    ap.add_argument("--pair-id")
    ap.add_argument("--pair-cmd")
    ap.add_argument("--pair-runs", type=int, default=2)
    ap.add_argument("--pair-settle", type=float, default=2.0)
    ap.add_argument("--pair-files", type=int, default=0)
    ap.add_argument("--meta")
    a = ap.parse_args(argv)
    if a.action == "measure":
        cmd_measure(a, cmd)
    elif a.action == "onefile":
        cmd_onefile(a, cmd)
    else:
        cmd_report(a)


if __name__ == "__main__":
    main()
