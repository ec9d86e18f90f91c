#!/usr/bin/env python3
"""No expression in the tests, tools or examples may take longer than the budget to type-check.

Each test target, tool and example app is type-checked as one module against the debug build's modules with
`-warn-long-expression-type-checking`; any such warning fails the check (the expression is printed).
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# SwiftPM gives a target with resources a `Bundle.module`; checked on its own, the target needs a stand-in.
BUNDLE_ACCESSOR = os.path.join(tempfile.gettempdir(), "typecheck_budget_bundle_accessor.swift")
with open(BUNDLE_ACCESSOR, "w") as accessor:
    accessor.write("import Foundation\nextension Foundation.Bundle { static let module = Bundle.main }\n")


# Swift that is compiled with module sources rather than against them (make template-interop builds
# Tools/templates/main.swift together with ServerCore's template engine files).
NOT_MODULES = {os.path.join("Tools", "templates")}


def groups():
    """(name, files) for every directory of Swift sources that builds as one module."""
    for parent in ("Tests", "Tools", "Examples"):
        for directory in sorted(glob.glob(os.path.join(ROOT, parent, "*"))):
            if not os.path.isdir(directory) or os.path.relpath(directory, ROOT) in NOT_MODULES:
                continue
            sources = os.path.join(directory, "Sources")
            if os.path.isdir(sources):  # an example package: Sources/<target>/*.swift
                with open(os.path.join(directory, "Package.swift")) as manifest:
                    has_resources = "resources:" in manifest.read()
                for target in sorted(glob.glob(os.path.join(sources, "*"))):
                    files = sorted(glob.glob(os.path.join(target, "**", "*.swift"), recursive=True))
                    if files and has_resources:
                        files.append(BUNDLE_ACCESSOR)  # what SwiftPM generates for a target with resources
                    if files:
                        yield os.path.relpath(target, ROOT), files
                continue
            files = sorted(glob.glob(os.path.join(directory, "**", "*.swift"), recursive=True))
            if files:
                yield os.path.relpath(directory, ROOT), files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swiftc", default="swiftc")
    parser.add_argument("--modules-dir", required=True)
    parser.add_argument("--budget-ms", type=int, default=500)
    parser.add_argument("--package-name", default=None,
                        help="SwiftPM's -package-name (default: read from the build's debug.yaml)")
    args = parser.parse_args()
    includes = ["-I", args.modules_dir]
    for system in ("CZlib", "COpenSSL", "CEpoll"):
        includes += ["-I", os.path.join(ROOT, "Modules", system)]
    package = args.package_name
    if package is None:
        description = os.path.join(os.path.dirname(os.path.dirname(args.modules_dir)), "debug.yaml")
        try:
            with open(description) as f:
                marker = '"-package-name","'
                text = f.read()
                start = text.index(marker) + len(marker)
                package = text[start:text.index('"', start)]
        except (OSError, ValueError):
            package = os.path.basename(ROOT).lower()
    includes += ["-package-name", package]
    failures = 0
    checked = 0
    started = time.monotonic()
    for name, files in groups():
        module = "Check" + "".join(ch for ch in name.split("/")[-1] if ch.isalnum())
        command = [args.swiftc, "-typecheck", "-swift-version", "6", "-module-name", module, *includes,
                   "-Xfrontend", f"-warn-long-expression-type-checking={args.budget_ms}", *files]
        if any(os.path.basename(f) == "main.swift" for f in files) is False:
            command.insert(2, "-parse-as-library")
        result = subprocess.run(command, capture_output=True, text=True)
        output = result.stdout + result.stderr
        slow = [line for line in output.splitlines() if "to type-check (limit:" in line and ": warning:" in line]
        if result.returncode != 0:
            print(f"{name}: does not type-check on its own:\n{output[-3000:]}", file=sys.stderr)
            failures += 1
        for line in slow:
            print(f"{name}: {os.path.relpath(line.split(': warning:')[0], ROOT)}: {line.split('warning: ')[1]}")
            failures += 1
        checked += len(files)
    elapsed = time.monotonic() - started
    print(f"type-check budget {args.budget_ms} ms: {checked} files, {failures} over or failing ({elapsed:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
