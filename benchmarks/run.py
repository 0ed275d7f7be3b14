"""make bench: how fast the book reads data, trains and builds, measured side by side in one run.

    python benchmarks/run.py                    # everything (a few minutes)
    python benchmarks/run.py --quick            # everything but the book and memory sections
    python benchmarks/run.py --only book,memory

Writes benchmarks/results/latest.json (every measurement) and benchmarks/RESULTS.md (the
table of figures, values, targets and pass/fail). See benchmarks/README.md.
"""
import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from bookmodel import kernels  # noqa: E402

kernels.set_flags()  # every kernel and process measured here runs as in the book build

SECTIONS = ("loaders", "training", "train_ch3", "resize", "threads", "book", "memory", "pdf", "d2l1")
RESULTS_DIR = HERE / "results"
RESULTS_MD = HERE / "RESULTS.md"


def figure(label: str, value: float, unit: str, target: str, passed: bool | None) -> dict:
    """One row of the results table."""
    return {"figure": label, "value": value, "unit": unit, "target": target, "passed": passed}


def machine() -> dict:
    """What the figures were measured on, including how busy the machine was."""
    import torch
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(), "loadavg_start": os.getloadavg()}


def fmt(value: float, unit: str) -> str:
    """A value with its unit, as the table shows it."""
    if value != value:  # nan
        return "n/a"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:g} {unit}"


def verdict(passed: bool | None) -> str:
    return {True: "pass", False: "**FAIL**", None: "-"}[passed]


def run(sections: list[str], log=print) -> dict:
    """Measure the chosen sections; return every measurement and the figures table."""
    results = {"timestamp": time.strftime("%Y-%m-%d %H:%M:%S %z"), "sections": sections,
               "machine": machine(), "measurements": {}, "figures": []}
    m, figs = results["measurements"], results["figures"]

    if "loaders" in sections:
        from loaders import measure_loaders
        log("[1] one epoch of Fashion-MNIST minibatches (batch 256): torchvision DataLoader vs fast loader")
        r = m["loaders"] = measure_loaders()
        log(f"    DataLoader ({r['workers']} workers) {r['torchvision_epoch_s']:.2f} s, "
            f"fast loader {r['fast_epoch_s']:.3f} s (best epoch; setup {r['torchvision_setup_s']:.2f} s "
            f"vs {r['fast_setup_s']:.2f} s)")
        figs.append(figure("Reading an epoch: DataLoader time / fast-loader time", r["speedup"], "x",
                           ">= 15x", r["speedup"] >= 15))

    if "training" in sections:
        from loaders import measure_training
        log("[2] one epoch of softmax regression + test accuracy: floor, fast loader, DataLoader")
        r = m["training"] = measure_training()
        log(f"    floor {r['floor_epoch_s']:.2f} s, fast {r['fast_epoch_s']:.2f} s, "
            f"DataLoader {r['torchvision_epoch_s']:.2f} s")
        figs.append(figure("Training epoch + test: fast loader / in-memory floor", r["fast_vs_floor"], "x",
                           "<= 2x", r["fast_vs_floor"] <= 2))
        figs.append(figure("Training epoch + test: DataLoader / in-memory floor", r["torchvision_vs_floor"],
                           "x", "(for comparison)", None))

    if "train_ch3" in sections:
        from train_ch3 import measure_train_ch3
        log("[5] d2l.train_ch3 (fast loader, Animator) vs the in-memory floor, 10 epochs, as a script and in a kernel")
        r = m["train_ch3"] = measure_train_ch3()
        for where in ("script", "kernel"):
            t = r[where]
            log(f"    {where}: floor {t['floor_s']:.2f} s, floor on copied batches {t['copies_s']:.2f} s, "
                f"train_ch3 {t['train_ch3_s']:.2f} s, set-up {t['setup_s'] * 1000:.0f} ms")
            figs.append(figure(f"train_ch3 / in-memory floor ({where})", t["ratio"], "x", "<= 1.15x",
                               t["ratio"] <= 1.15))
            figs.append(figure(f"Floor fed a copy of each batch / in-memory floor ({where})", t["copies_ratio"],
                               "x", "(reference: no aliasing costs this)", None))
        share = max(r[where]["setup_share_of_epoch"] for where in ("script", "kernel"))
        figs.append(figure("Data set-up / one floor epoch", 100 * share, "%", "< 10%", share < 0.10))

    if "resize" in sections:
        from limits import measure_resize_memory
        log("[6] peak RSS of a process reading resized Fashion-MNIST batches (fast loader)")
        r = m["resize"] = measure_resize_memory()
        for size in ("64", "224"):
            log(f"    resize={size}: {r[size]['peak_rss_mb']:.0f} MB (no resize: {r['None']['peak_rss_mb']:.0f} MB)")
            growth = r[size]["peak_rss_mb"] - r["None"]["peak_rss_mb"]
            figs.append(figure(f"Peak RSS with resize={size} (no resize: {r['None']['peak_rss_mb']:.0f} MB)",
                               r[size]["peak_rss_mb"], "MB", "< no resize + 200 MB", growth < 200))

    if "threads" in sections:
        from limits import measure_threads
        log("[7] CPUs seen, threads chosen, and a softmax epoch under a 1-CPU cgroup quota")
        r = m["threads"] = measure_threads()
        log(f"    affinity {r['affinity_cpus']}, cgroup quota {r['cgroup_cpus']}, available {r['available_cpus']}, "
            f"DataLoader workers {r['dataloader_workers']}")
        if r["quota"]:
            q = r["quota"]
            log(f"    1-CPU quota: d2lutil's {q['d2lutil']['threads']} thread(s) {q['d2lutil']['epoch_s']:.2f} s, "
                f"torch's default {q['torch-default']['threads']} threads {q['torch-default']['epoch_s']:.2f} s")
            figs.append(figure("Softmax epoch under a 1-CPU quota: torch's default threads / d2lutil's choice",
                               q["slowdown_of_torch_default"], "x", "(for comparison)", None))
        else:
            log(f"    quota run skipped: {r['quota_skipped']}")

    if "d2l1" in sections:
        from d2l1 import measure_d2l1
        log("[9] the English edition's programs (d2l 1.0 API) on d2lutil vs on d2l 1.0.3 itself")
        r = m["d2l1"] = measure_d2l1(log)
        figs.append(figure("Concise softmax regression, 10 epochs, script: d2l 1.0.3 / d2lutil", r["softmax_ratio"],
                           "x", ">= 5x", r["softmax_ratio"] >= 5))
        figs.append(figure("Same, CPU time of the process and its workers: d2l 1.0.3 / d2lutil",
                           r["softmax_cpu_ratio"], "x", "(for comparison)", None))
        figs.append(figure("Its last validation accuracy, difference between d2l 1.0.3 and d2lutil",
                           round(r["softmax_acc_diff"], 4), "", "<= 0.01", r["softmax_acc_diff"] <= 0.01))
        figs.append(figure("ProgressBoard demo (100 draws), kernel: d2l 1.0.3 / d2lutil", r["board_ratio"], "x",
                           ">= 20x", r["board_ratio"] >= 20))

    if "book" in sections or "memory" in sections:
        from book import measure_chapters
        log("[3] every chapter executed cold, each in a new kernel (cwd = book/)")
        r = m["chapters"] = measure_chapters(log=lambda line: log("   " + line))
        n = len(r["chapters"])
        if r["not_notebooks"]:
            log(f"    pages without code (no kernelspec), not executed: {', '.join(r['not_notebooks'])}")
        if "book" in sections:
            label = f"Chapters executed one after another, each alone ({n}{'' if r['all_ok'] else ', SOME FAILED'})"
            figs.append(figure(label, r["total_s"], "s", "(for comparison)", None))
        if "memory" in sections:
            figs.append(figure(f"Peak RSS of a chapter's kernel (heaviest: {r['heaviest_chapter']})",
                               r["peak_rss_mb"], "MB", "< 1500 MB", r["peak_rss_mb"] < 1500))

    if "book" in sections:
        from book import measure_rebuild
        log("[3] jupyter-book build of a snapshot of the repository, twice (cold cache, then unchanged)")
        r = m["rebuild"] = measure_rebuild()
        first, second, execution = r["first"], r["second"], r["execution"]
        log(f"    make book's execution: {execution['chapters']} chapters, {execution['jobs']} at a time, "
            f"{r['execute_s']:.1f} s (exit {execution['returncode']})")
        ok = execution["returncode"] == 0 and execution["chapters"] > 0 and not first["notebooks_executed"]
        notes = "" if ok else f" (exit {execution['returncode']}, build executed {first['notebooks_executed']})"
        figs.append(figure(f"Whole book executed cold, as make book runs it ({execution['chapters']} chapters, "
                           f"{execution['jobs']} at a time){notes}", r["execute_s"], "s", "< 120 s",
                           ok and r["execute_s"] < 120))
        log(f"    first build {r['first_build_s']:.1f} s (exit {first['returncode']}, "
            f"{first['notebooks_executed']} notebooks executed), rebuild {r['rebuild_s']:.1f} s "
            f"(exit {second['returncode']}, {second['notebooks_executed']} executed, "
            f"{second['notebooks_from_cache']} from the cache)")
        for line in first["problems"]:
            log(f"    build: {line}")
        notes = []
        if second["notebooks_executed"]:
            notes.append(f"re-executed {second['notebooks_executed']} notebooks")
        if first["returncode"] or second["returncode"]:
            notes.append(f"build exit status {first['returncode']}/{second['returncode']}")
        label = "Unchanged rebuild of the book (cached)" + (f" ({'; '.join(notes)})" if notes else "")
        figs.append(figure(label, r["rebuild_s"], "s", "< 20 s",
                           r["rebuild_s"] < 20 and not second["notebooks_executed"]))
        figs.append(figure("First make book (cold cache: execution + build, for comparison)", r["first_build_s"], "s",
                           "(for comparison)", None))

    if "pdf" in sections:
        from pdf import measure_pdf
        log("[8] make pdf with a warm execution cache (after removing _build/latex)")
        r = m["pdf"] = measure_pdf()
        if "skipped" in r:
            log(f"    skipped: {r['skipped']}")
        else:
            log(f"    {r['seconds']:.1f} s (exit {r['returncode']}, {r['notebooks_executed']} notebooks "
                f"executed, {r['pages']} pages)")
        ok = "skipped" not in r and r["returncode"] == 0 and not r["notebooks_executed"]
        notes = "" if ok or "skipped" in r else f" (exit {r['returncode']}, {r['notebooks_executed']} executed)"
        figs.append(figure(f"make pdf, execution cache warm{notes}", r["seconds"], "s", "< 600 s",
                           None if "skipped" in r else ok and r["seconds"] < 600))

    results["machine"]["loadavg_end"] = os.getloadavg()
    return results


def table(results: dict) -> str:
    """The figures as a Markdown table."""
    rows = ["| figure | value | target | result |", "|---|---|---|---|"]
    for f in results["figures"]:
        rows.append(f"| {f['figure']} | {fmt(f['value'], f['unit'])} | {f['target']} | {verdict(f['passed'])} |")
    return "\n".join(rows)


def markdown(results: dict) -> str:
    """benchmarks/RESULTS.md: the table, the per-chapter times, and what the machine was doing."""
    mach = results["machine"]
    load = ", ".join(f"{x:.1f}" for x in mach["loadavg_start"])
    lines = [
        "# Benchmark results",
        "",
        f"Last `make bench` ({', '.join(results['sections'])}), {results['timestamp']}, on {mach['cpus']} CPUs "
        f"({mach['cpu_model'] or 'unknown CPU'}), Python {mach['python']}, torch {mach['torch']} "
        f"({mach['torch_threads']} threads); load average at the start {load}. "
        "What each figure means: [README.md](README.md).",
        "",
        table(results),
    ]
    chapters = results["measurements"].get("chapters")
    if chapters:
        lines += ["", "Chapters executed cold, one after another (fresh kernel each, in table-of-contents order):", "",
                  "| chapter | wall time | CPU time (kernel) | peak RSS | status |", "|---|---|---|---|---|"]
        for c in chapters["chapters"]:
            status = "ok" if c["ok"] else f"failed: {c['error']}".replace("|", "\\|")
            lines.append(f"| {c['chapter']} | {fmt(c['seconds'], 's')} | {fmt(c['cpu_s'], 's')} | "
                         f"{fmt(c['peak_rss_mb'], 'MB')} | {status} |")
        lines.append(f"| **total** | {fmt(chapters['total_s'], 's')} | {fmt(chapters['cpu_s'], 's')} | | |")
        if chapters["not_notebooks"]:
            lines += ["", f"Pages without code (no kernelspec), not executed: {', '.join(chapters['not_notebooks'])}."]
    m = results["measurements"]
    if any(key in m for key in ("loaders", "training", "train_ch3", "threads", "resize", "d2l1")):
        lines += ["", "Absolute times (best of several runs):", ""]
        if "loaders" in m:
            r = m["loaders"]
            lines.append(f"- reading one training epoch: DataLoader ({r['workers']} workers) "
                         f"{r['torchvision_epoch_s']:.2f} s, fast loader {r['fast_epoch_s']:.3f} s; "
                         f"setup {r['torchvision_setup_s']:.2f} s vs {r['fast_setup_s']:.2f} s")
        if "training" in m:
            r = m["training"]
            lines.append(f"- training epoch + test accuracy: floor {r['floor_epoch_s']:.2f} s, fast loader "
                         f"{r['fast_epoch_s']:.2f} s, DataLoader {r['torchvision_epoch_s']:.2f} s")
    if "train_ch3" in m:
        for where in ("script", "kernel"):
            t = m["train_ch3"][where]
            lines.append(f"- train_ch3, {t['epochs']} epochs ({where}): floor {t['floor_s']:.2f} s, floor on "
                         f"copied batches {t['copies_s']:.2f} s, train_ch3 {t['train_ch3_s']:.2f} s; "
                         f"data set-up {t['setup_s'] * 1000:.1f} ms; import {t['import_s']:.1f} s")
    if "threads" in m:
        r = m["threads"]
        lines.append(f"- CPUs: affinity {r['affinity_cpus']}, cgroup quota {r['cgroup_cpus']}, available "
                     f"{r['available_cpus']}; DataLoader workers {r['dataloader_workers']}")
        if r["quota"]:
            q = r["quota"]
            lines.append(f"- softmax epoch in a 1-CPU cgroup v1 quota: d2lutil's {q['d2lutil']['threads']} thread(s) "
                         f"{q['d2lutil']['epoch_s']:.2f} s, torch's default {q['torch-default']['threads']} threads "
                         f"{q['torch-default']['epoch_s']:.2f} s")
    if "d2l1" in m:
        r = m["d2l1"]
        s, b = r["softmax"], r["board"]
        cpu = {k: f", CPU {v['cpu_s']:.1f} s" if "cpu_s" in v else "" for k, v in s.items()}
        lines.append(f"- concise softmax regression (d2l 1.0 API), 10 epochs, script: d2l 1.0.3 "
                     f"{s['d2l']['seconds']:.1f} s (val acc {s['d2l']['val_acc']:.4f}{cpu['d2l']}), d2lutil "
                     f"{s['d2lutil']['seconds']:.1f} s (val acc {s['d2lutil']['val_acc']:.4f}{cpu['d2lutil']})")
        lines.append(f"- ProgressBoard demo in a kernel: d2l 1.0.3 {b['d2l']['best_s']:.2f} s "
                     f"({b['d2l']['displays']} displays), d2lutil {b['d2lutil']['best_s']:.2f} s "
                     f"({b['d2lutil']['displays']} display)")
    if "resize" in m:
        r = m["resize"]
        lines.append("- peak RSS of a process reading resized batches: " + ", ".join(
            f"resize={size} {r[size]['peak_rss_mb']:.0f} MB" for size in ("None", "64", "224")))
    if "rebuild" in m:
        r = m["rebuild"]
        lines += ["", f"Book builds on a snapshot, as `make book` runs them (scripts/execute_chapters.py, then "
                      f"`jupyter-book build . -W -n --keep-going`): first, cold cache, "
                      f"{r['first_build_s']:.1f} s (exit status {r['first']['returncode']}, "
                      f"{r['first']['notebooks_executed']} notebooks executed by the build itself); unchanged rebuild "
                      f"{r['rebuild_s']:.1f} s (exit status {r['second']['returncode']}, "
                      f"{r['second']['notebooks_executed']} executed, {r['second']['notebooks_from_cache']} "
                      "from the cache)."]
        if r["first"]["problems"]:
            lines += ["", "Warnings and errors of the first build:", "", "```"] + r["first"]["problems"] + ["```"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the book and memory figures")
    parser.add_argument("--only", default="", help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.only:
        sections = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = sorted(set(sections) - set(SECTIONS))
        if unknown:
            parser.error(f"unknown section(s) {', '.join(unknown)}; choose among {', '.join(SECTIONS)}")
    else:
        sections = list(SECTIONS)
    if args.quick:
        sections = [s for s in sections if s not in ("book", "memory")]

    results = run(sections)
    RESULTS_DIR.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False, default=str)
    (RESULTS_DIR / "latest.json").write_text(text + "\n", encoding="utf-8")
    (RESULTS_DIR / time.strftime("%Y%m%d-%H%M%S.json")).write_text(text + "\n", encoding="utf-8")
    RESULTS_MD.write_text(markdown(results), encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten: {RESULTS_DIR / 'latest.json'}, {RESULTS_MD}")
    missed = [f["figure"] for f in results["figures"] if f["passed"] is False]
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
