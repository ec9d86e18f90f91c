#!/usr/bin/env python3
"""Fails when library code converts a number in a way that can trap, without saying why it cannot.

`Int(x)` of a Double, `UInt16(x)` of an Int, `Int32(x)` of an Int ... stop the whole process when `x`
does not fit (1e300, NaN, a negative count, a port above 65535), and `try?` cannot catch that. On a path
that carries bytes from the network, that is a remote crash. This check asks the compiler: it dumps the
type-checked AST of each library module (`swiftc -dump-ast`), finds every unlabelled conversion
initializer `T(x)` into an integer type, and reports those that can trap by their types:

- floating point into an integer,
- an integer into a narrower one, or across signedness where the range does not fit,
- a generic value into an integer (its type is not known here).

Widening (`Int(aUInt8)`) and the labelled forms (`Int(exactly:)`, `Int(clamping:)`,
`Int(truncatingIfNeeded:)`, `Int(bitPattern:)`) are never reported. A reported conversion is accepted when
its line, or the line above, carries a reason:

    let n = Int(d)  // trap-safe: d is integral and in 0...Int32.max (checked above)

    python3 Tools/lint/trapping_conversions.py [--swiftc SWIFTC] [--modules-dir DIR] [MODULE ...]

Run by `make lint` (part of `make test`) after a debug build, whose `Modules/` directory supplies the
imported Swift modules. Exit 1 with a list when something is unexplained.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULES = ["Wire", "Protocol", "DocumentModel", "Routing", "BokehChannel", "ServerCore", "Client"]
FLAGS = ["-swift-version", "6", "-enable-upcoming-feature", "InternalImportsByDefault", "-enable-upcoming-feature",
         "MemberImportVisibility", "-enable-upcoming-feature", "ExistentialAny"]
C_MODULES = ["CZlib", "COpenSSL", "CEpoll"]
ANNOTATION = "trap-safe:"

BITS = {"Int8": 8, "Int16": 16, "Int32": 32, "Int64": 64, "Int": 64,
        "UInt8": 8, "UInt16": 16, "UInt32": 32, "UInt64": 64, "UInt": 64}
FLOATS = {"Double", "Float", "Float16", "Float80", "CGFloat"}
# C type aliases as the importer names them (x86_64 and arm64 Linux).
ALIASES = {"uInt": "UInt32", "uLong": "UInt64", "pthread_t": "UInt64", "sa_family_t": "UInt16", "__time_t": "Int64",
           "socklen_t": "UInt32", "size_t": "UInt64", "ssize_t": "Int64", "in_port_t": "UInt16", "CInt": "Int32",
           "CUnsignedInt": "UInt32", "CLong": "Int64", "CUnsignedLong": "UInt64", "__syscall_slong_t": "Int64"}
CALL = re.compile(r'constructor_ref_call_expr type="\((?P<src>[^()]*)\) -> (?P<dst>U?Int(?:8|16|32|64)?)"'
                  r'.*? location=(?P<file>[^:]+):(?P<line>\d+):\d+')
DECL = re.compile(r'decl="([^"]*)"')


def can_trap(src, dst):
    src = src.replace("__shared ", "").replace("__owned ", "").strip()
    src = ALIASES.get(src, src)
    if src in FLOATS:
        return True
    if src not in BITS:
        return src not in ("String", "Substring") and not src.startswith("String")  # generic or unknown
    s_signed, d_signed = not src.startswith("U"), not dst.startswith("U")
    s_bits, d_bits = BITS[src], BITS[dst]
    if s_signed == d_signed:
        return d_bits < s_bits
    if s_signed and not d_signed:
        return True  # a negative value
    return d_bits <= s_bits  # unsigned into signed: needs a spare bit


def package_name():
    """The `-package-name` SwiftPM compiled with (it follows the checkout's folder name)."""
    try:
        with open(os.path.join(ROOT, ".build", "debug.yaml"), encoding="utf-8") as f:
            m = re.search(r'"-package-name","([^"]+)"', f.read())
            if m:
                return m.group(1)
    except OSError:
        pass
    return re.sub(r"[^a-z0-9_]", "_", os.path.basename(ROOT).lower())


def dump(module, swiftc, modules_dir):
    files = []
    for directory, _, names in os.walk(os.path.join(ROOT, "Modules", module)):
        files += [os.path.join(directory, n) for n in sorted(names) if n.endswith(".swift")]
    command = [swiftc, "-dump-ast", "-module-name", module, "-package-name", package_name(), *FLAGS, "-I", modules_dir]
    for c in C_MODULES:
        command += ["-I", os.path.join(ROOT, "Modules", c)]
    result = subprocess.run(command + files, capture_output=True, text=True, cwd=ROOT)
    # The AST goes to standard output for one file, to standard error (with any diagnostics) for several.
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"lint: swiftc -dump-ast failed for {module} (build first: swift build)")
    return result.stdout + result.stderr


def findings(module, ast):
    lines = ast.split("\n")
    seen = set()
    for i, line in enumerate(lines):
        m = CALL.search(line)
        if not m or not can_trap(m.group("src"), m.group("dst")):
            continue
        decl = next((d.group(1) for d in (DECL.search(l) for l in lines[i + 1:i + 4]) if d), "")
        label = re.search(r"\.init\(([^)]*)\)", decl)
        if label and label.group(1) not in ("_:", ""):
            continue  # exactly:, clamping:, truncatingIfNeeded:, bitPattern:, ...
        key = (m.group("file"), int(m.group("line")))
        if key in seen:
            continue
        seen.add(key)
        yield key[0], key[1], f"{m.group('src').strip()} -> {m.group('dst')}"


SELF_TEST = """
func widening(_ b: UInt8, _ s: Int32) -> Int { Int(b) + Int(s) }
func labelled(_ d: Double, _ i: Int) -> (Int?, UInt16, UInt8) { (Int(exactly: d), UInt16(clamping: i), UInt8(truncatingIfNeeded: i)) }
func parsed(_ text: String) -> Int? { Int(text) }
func fromDouble(_ d: Double) -> Int { Int(d) }
func narrowing(_ i: Int) -> UInt16 { UInt16(i) }
func explained(_ i: Int) -> UInt8 {
    UInt8(i & 0x7F)  // trap-safe: masked to 7 bits
}
"""


def self_test(swiftc):
    """The check finds what it must (Double -> Int, Int -> UInt16) and nothing else."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "Probe.swift")
        with open(path, "w") as f:
            f.write(SELF_TEST)
        result = subprocess.run([swiftc, "-dump-ast", "-module-name", "Probe", *FLAGS, path],
                                capture_output=True, text=True)
        found = [(n, c) for _, n, c in findings("Probe", result.stdout + result.stderr)]
        lines = SELF_TEST.split("\n")
        unexplained = [(n, c) for n, c in found if ANNOTATION not in lines[n - 1] and ANNOTATION not in lines[n - 2]]
    expected = [(5, "Double -> Int"), (6, "Int -> UInt16")]
    if unexplained != expected:
        print(f"lint self-test failed: expected {expected}, found {unexplained}")
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--swiftc", default="swiftc")
    ap.add_argument("--modules-dir", default=os.path.join(ROOT, ".build", "debug", "Modules"))
    ap.add_argument("modules", nargs="*", default=MODULES)
    args = ap.parse_args()
    if not self_test(args.swiftc):
        return 1
    problems = []
    checked = 0
    for module in args.modules:
        for path, number, conversion in findings(module, dump(module, args.swiftc, args.modules_dir)):
            checked += 1
            full = path if os.path.isabs(path) else os.path.join(ROOT, path)
            with open(full, encoding="utf-8") as f:
                source = f.read().split("\n")
            here = source[number - 1] if number <= len(source) else ""
            above = source[number - 2] if number >= 2 else ""
            if ANNOTATION in here or ANNOTATION in above:
                continue
            problems.append(f"{os.path.relpath(full, ROOT)}:{number}: {conversion}: {here.strip()}")
    if problems:
        print("Numeric conversions that can trap, without a '// trap-safe: <reason>' comment:")
        for p in problems:
            print("  " + p)
        print(f"{len(problems)} unexplained (of {checked} that can trap by their types). For values from outside use "
              "Int(exactly:), Int(clamping:) or checked arithmetic; otherwise say on the line why it cannot trap.")
        return 1
    print(f"trapping conversions: {checked} checked in {', '.join(args.modules)}, none unexplained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
