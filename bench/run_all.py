"""Run every benchmark under bench/ one after the other, then print one summary table.

    .venv/bin/python bench/run_all.py [name …]     (e.g. ``load surveys_results``; default: all)

Each script prints its own figures as it goes (shown here as they come) and a last machine-readable
line ``SUMMARY <name> key=value …``, which this runner collects; a script without one is summarised
by its last line of output. Exits 1 if any benchmark failed (its own checks: errors, lost submissions…).
"""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARIES = {"run_all.py", "harness.py", "peer_helpdesk.py"}  # what the benchmarks import, not benchmarks
WIDTH = 118


def run(script):
    """Run one benchmark, echoing its output; return (exit status, seconds, summary)."""
    started = time.monotonic()
    summary, last = None, ""
    process = subprocess.Popen(
        [sys.executable, "-u", str(script)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    for line in process.stdout:
        sys.stdout.write(line)
        if line.startswith("SUMMARY "):
            summary = line.split(None, 2)[2].strip() if len(line.split(None, 2)) > 2 else ""
        elif line.strip():
            last = line.strip()
    status = process.wait()
    return status, time.monotonic() - started, summary if summary is not None else f"(no SUMMARY line) {last}"


def main(names):
    scripts = sorted(path for path in HERE.glob("*.py") if path.name not in LIBRARIES)
    if names:
        scripts = [path for path in scripts if path.stem in names]
        missing = set(names) - {path.stem for path in scripts}
        if missing:
            sys.exit(f"no such benchmark: {', '.join(sorted(missing))}")
    rows = []
    for script in scripts:
        print(f"\n== bench/{script.name}", flush=True)
        rows.append((script.stem, *run(script)))

    print("\n" + "=" * WIDTH)
    print(f"{'benchmark':18} {'status':8} {'time':>7}  figures")
    print("-" * WIDTH)
    for name, status, seconds, summary in rows:
        figures = textwrap.wrap(summary, WIDTH - 37) or [""]
        print(f"{name:18} {'ok' if status == 0 else f'FAILED {status}':8} {seconds:6.0f}s  {figures[0]}")
        for more in figures[1:]:
            print(f"{'':37}{more}")
    print("=" * WIDTH)
    failed = [name for name, status, _seconds, _summary in rows if status != 0]
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
