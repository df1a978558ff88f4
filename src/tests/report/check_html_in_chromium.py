#!/usr/bin/env python3
"""Loads an HTML report in headless Chromium and checks it: no console messages (errors, failed loads), the page
script ran to the end, and the totals the page shows equal the JSON result document's.

Usage: check_html_in_chromium.py --html PAGE [--json RESULT] [--expect-failure] [--screenshot PNG]
Without --json (the comparison page) only the console, the script and the row filter are checked.
Exit status: 0 when the page passes (or, with --expect-failure, when it fails), 1 otherwise, 77 when Chromium is
not installed (outside CI; in CI, with CI set, a missing Chromium is a failure).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0"]


def chromium(args, page, profile):
    cmd = [args.chromium] + FLAGS + ["--user-data-dir=" + profile] + page
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, check=False)


def load(args, url):
    """Dumps the DOM after the page script ran; returns (problems, dom)."""
    problems = []
    with tempfile.TemporaryDirectory() as profile:
        # --virtual-time-budget lets the inline script run before the DOM is dumped.
        proc = chromium(args, ["--virtual-time-budget=2000", "--dump-dom", url], profile)
    dom = proc.stdout.decode("utf-8", "replace")
    log = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        problems.append(f"chromium exited with {proc.returncode}")
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    problems += ["console: " + line.strip() for line in console]
    if 'data-js-ready="1"' not in dom:
        problems.append("the page script did not run to the end (no body[data-js-ready=1])")
    return problems, dom


def check_page_only(args):
    """A page without a result document (the comparison): loads cleanly, the script ran, every row is shown."""
    problems, dom = load(args, "file://" + os.path.abspath(args.html))
    rows = len(re.findall(r"<tr data-item", dom))
    shown = re.search(r'id="shown">(\d+) of (\d+) shown<', dom)
    if rows == 0 or not shown or int(shown.group(1)) != rows or int(shown.group(2)) != rows:
        problems.append(f"the filter bar does not say all {rows} rows are shown")
    return problems


def check(args):
    problems = []
    if not args.json:
        return check_page_only(args)
    # errors="replace": the totals are what matters here (the JSON's own UTF-8 is check_json_schema.py's business).
    with open(args.json, encoding="utf-8", errors="replace") as f:
        doc = json.load(f)
    url = "file://" + os.path.abspath(args.html)
    more, dom = load(args, url)
    problems += more

    scenarios = doc["scenarios"]
    counted = {o: sum(1 for s in scenarios if s["outcome"] == o) for o in ("pass", "fail", "warn", "skip", "error")}
    counted["total"] = len(scenarios)
    summary = doc["summary"]
    for outcome, n in counted.items():
        if summary[outcome] != n:
            problems.append(f"JSON summary says {outcome}={summary[outcome]} but lists {n}")
        tile = re.search(r'<div class="tile[^"]*" data-outcome="%s" data-count="(\d+)"><div class="n">(\d+)</div>'
                         % outcome, dom)
        if not tile:
            problems.append(f"no tile for {outcome}")
            continue
        shown = int(tile.group(2))
        if int(tile.group(1)) != n or shown != n:
            problems.append(f"tile {outcome} shows {shown} (data-count {tile.group(1)}), the JSON has {n}")
        items = len(re.findall(r'<details class="scenario"[^>]* data-outcome="%s"' % outcome, dom)) \
            if outcome != "total" else len(re.findall(r'<details class="scenario"', dom))
        if items != n:
            problems.append(f"the page lists {items} {outcome} scenarios, the JSON {n}")
    shown = re.search(r'id="shown">(\d+) of (\d+) shown<', dom)
    if not shown or int(shown.group(1)) != len(scenarios) or int(shown.group(2)) != len(scenarios):
        problems.append("the filter bar does not say all scenarios are shown")

    if args.screenshot:  # for people: look at it (kept out of git)
        with tempfile.TemporaryDirectory() as profile:
            chromium(args, ["--window-size=1400,1800", "--screenshot=" + args.screenshot, url], profile)
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--html", required=True)
    parser.add_argument("--json", help="the result document; without it only the page itself is checked")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "")
    parser.add_argument("--expect-failure", action="store_true")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    if not args.chromium:
        if os.environ.get("CI"):
            print("chromium is not installed (scripts/install-deps.sh installs it)")
            return 1
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs it)")
        return 77
    problems = check(args)
    for p in problems:
        print("problem:", p)
    if args.expect_failure:
        if problems:
            print(f"OK: the broken page was caught ({len(problems)} problems)")
            return 0
        print("FAIL: the broken page passed the check")
        return 1
    if problems:
        return 1
    what = "shows the JSON's totals" if args.json else "shows every row"
    print(f"OK: {args.html} loads without console messages, its script ran, and it {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
