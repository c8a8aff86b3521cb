#!/usr/bin/env python3
"""Generates the single-file drop-in: dist/gosync.h and dist/gosync.c.

    scripts/amalgamate.py [OUT_DIR]        (default: dist/ of this checkout)

dist/gosync.h is include/gosync.h with every "gosync/..." header it pulls in inlined.
dist/gosync.c is every src/*.c, then every file of every wait-on-address backend, with the
internal headers inlined; the backend is chosen when dist/gosync.c is compiled, by the same
per-OS default as CMakeLists.txt (GOSYNC_DIST_BACKEND_PARK forces the portable one).

What goes in comes from one place each, so the script keeps working as files are added:
the library sources are the glob src/*.c (one primitive per file, no #if: DESIGN.md), and
each backend's files are the `set(GOSYNC_BACKEND_<name> ...)` lines of CMakeLists.txt.
Only the C condition that picks a backend lives here (BACKEND_CONDITIONS).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Which backend dist/gosync.c compiles, by predefined macros: the first that holds wins, else
# "park". Mirrors GOSYNC_DEFAULT_BACKEND in CMakeLists.txt.
BACKEND_CONDITIONS = [
    ("futex", "defined(__linux__)"),
    ("windows", "defined(_WIN32)"),
    ("umtx", "defined(__FreeBSD__)"),
    ("ulock", "defined(__APPLE__)"),
    ("openbsd", "defined(__OpenBSD__)"),
]
FALLBACK = "park"
FORCE_PARK = "GOSYNC_DIST_BACKEND_PARK"

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
DEFINE_RE = re.compile(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)")
DIRECTIVE_RE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$")


def fail(msg):
    sys.exit("amalgamate.py: " + msg)


def rel(path):
    return path.relative_to(ROOT).as_posix()


def strip_comments(text):
    """The text with comments blanked (newlines kept), string and char literals left alone."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def whole_file_guard(text):
    """The macro guarding the whole file (#ifndef X / #define X ... #endif at the end), or None.

    Headers split into parts under separate guards (several #if ... #endif at top level) are
    not whole-file guarded: they are inlined at every include, as the preprocessor would."""
    directives = []
    for line in strip_comments(text).splitlines():
        m = DIRECTIVE_RE.match(line)
        if m:
            directives.append((m.group(1), m.group(2).strip()))
    if len(directives) < 3:
        return None
    kind, arg = directives[0]
    if kind == "ifndef":
        guard = arg
    else:
        m = re.fullmatch(r"!\s*defined\s*\(?\s*(\w+)\s*\)?", arg) if kind == "if" else None
        if not m:
            return None
        guard = m.group(1)
    if directives[1] != ("define", guard):
        return None
    depth = 0
    for i, (kind, _) in enumerate(directives):
        if kind in ("if", "ifdef", "ifndef"):
            depth += 1
        elif kind == "endif":
            depth -= 1
            if depth == 0:
                return guard if i == len(directives) - 1 else None
    return None


class Amalgamator:
    def __init__(self):
        self.seen_guarded = set()  # whole-file-guarded headers already inlined
        self.public = set()  # public headers inlined into gosync.h

    def resolve(self, name, quote, including):
        """The file an #include names if it is one of ours, else None (a system header)."""
        candidates = []
        if quote == '"':
            candidates.append(including.parent / name)
        candidates.append(ROOT / "include" / name)
        candidates.append(ROOT / "src" / name)
        for c in candidates:
            c = c.resolve()
            if c.is_file() and (ROOT / "include" in c.parents or ROOT / "src" in c.parents):
                return c
        if quote == '"' or name == "gosync.h" or name.startswith("gosync/"):
            fail(f"{rel(including)}: cannot find included {name}")
        return None

    def already_inlined(self, path):
        return path in self.seen_guarded

    def internal_headers(self, path, found):
        """Appends to found, in first-use order, the internal headers path includes."""
        for line in path.read_text().splitlines():
            m = INCLUDE_RE.match(line)
            target = m and self.resolve(m.group(2), m.group(1), path)
            if target and ROOT / "include" not in target.parents and target not in found:
                self.internal_headers(target, found)
                found.append(target)

    def expand(self, path, out, public_only):
        text = path.read_text()
        if whole_file_guard(text) is not None:
            self.seen_guarded.add(path)
        for line in text.splitlines():
            m = INCLUDE_RE.match(line)
            target = m and self.resolve(m.group(2), m.group(1), path)
            if not target:
                out.append(line)
                continue
            is_public = ROOT / "include" in target.parents
            if public_only and not is_public:
                fail(f"{rel(path)}: public header includes internal {rel(target)}")
            if is_public and not public_only:
                # The library sources see the public headers through dist/gosync.h, already
                # included at the top of dist/gosync.c.
                if target not in self.public:
                    fail(f"{rel(path)} includes {rel(target)}, which <gosync.h> does not "
                         "include: add it to include/gosync.h")
                continue
            if public_only:
                self.public.add(target)
            if self.already_inlined(target):
                continue
            out.append(f"/* ---- {rel(target)} ---- */")
            self.expand(target, out, public_only)
            out.append(f"/* ---- end of {rel(target)} ---- */")


def backends_from_cmake():
    text = (ROOT / "CMakeLists.txt").read_text()
    backends = {}
    for m in re.finditer(r"^set\(GOSYNC_BACKEND_(\w+)\s+([^)]*)\)", text, re.M):
        backends[m.group(1)] = m.group(2).split()
    if FALLBACK not in backends or "futex" not in backends:
        fail("no set(GOSYNC_BACKEND_<name> ...) lines for park and futex in CMakeLists.txt")
    for name, _ in BACKEND_CONDITIONS:
        if name not in backends:
            fail(f"backend {name} has a condition here but no files in CMakeLists.txt")
    return backends


def version():
    text = (ROOT / "include/gosync/config.h").read_text()
    parts = []
    for p in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"#define GOSYNC_VERSION_{p} (\d+)", text)
        if not m:
            fail(f"no GOSYNC_VERSION_{p} in include/gosync/config.h")
        parts.append(m.group(1))
    return ".".join(parts)


BANNER = """\
/* {name}: gosync {version}, Go's sync package for C, as a single-file drop-in.
 *
 * GENERATED by scripts/amalgamate.py from include/ and src/ of the gosync repository: do not
 * edit; change the sources and run `make dist`.
 *
 * Use: copy dist/gosync.h and dist/gosync.c into your project, compile gosync.c as C11 (or
 * later) with the rest, link with the thread library (-pthread; on Windows, with
 * Synchronization.lib), and #include "gosync.h". The wait-on-address backend is picked by
 * the target OS: Linux futex, Windows WaitOnAddress, FreeBSD _umtx_op, macOS
 * os_sync_wait_on_address/__ulock_wait, OpenBSD futex, else pthread parking; compile with
 * -D{force} to use the pthread parking table everywhere.
 */"""


def main():
    out_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    out_dir.mkdir(parents=True, exist_ok=True)
    ver = version()
    am = Amalgamator()

    # ---- gosync.h ----
    h = [BANNER.format(name="gosync.h", version=ver, force=FORCE_PARK)]
    am.expand(ROOT / "include/gosync.h", h, public_only=True)
    am.public.add((ROOT / "include/gosync.h").resolve())

    # ---- gosync.c ----
    c = [BANNER.format(name="gosync.c", version=ver, force=FORCE_PARK), ""]
    c.append("/* As the build defines them for every library source. */")
    c.append("#ifndef _GNU_SOURCE\n#define _GNU_SOURCE\n#endif")
    c.append("#ifndef GOSYNC_BUILDING\n#define GOSYNC_BUILDING\n#endif")
    c.append('#include "gosync.h"\n')
    c.append("/* Each source sees every internal header's static inline helpers, used or not; the")
    c.append(" * normal build, one file at a time, is where unused functions are caught. */")
    c.append("#if defined(__clang__)")
    c.append('#pragma clang diagnostic ignored "-Wunused-function"')
    c.append("#endif\n")

    backends = backends_from_cmake()
    c.append("/* The wait-on-address backend: the target OS's own, as CMakeLists.txt picks it. */")
    c.append(f"#if defined({FORCE_PARK})\n#define GS__DIST_BACKEND_{FALLBACK} 1")
    for name, cond in BACKEND_CONDITIONS:
        c.append(f"#elif {cond}\n#define GS__DIST_BACKEND_{name} 1")
    c.append(f"#else\n#define GS__DIST_BACKEND_{FALLBACK} 1\n#endif\n")

    def emit_source(path, cond=None):
        if cond:
            c.append(f"#if {cond}")
        c.append(f"/* ======== {rel(path)} ======== */")
        body = []
        am.expand(path, body, public_only=False)
        c.extend(body)
        # Macros a source file defines for itself end with it, as they would in its own TU.
        own = sorted({m.group(1) for line in path.read_text().splitlines()
                      if (m := DEFINE_RE.match(line)) and m.group(1).lower().startswith("gs")})
        for name in own:
            c.append(f"#undef {name}")
        if cond:
            c.append(f"#endif /* {rel(path)} */")
        c.append("")

    sources = [p.resolve() for p in sorted((ROOT / "src").glob("*.c"))]
    if not sources:
        fail("no src/*.c")
    users = {}  # platform file -> the backends that use it, in table order
    for name, files in backends.items():
        for f in files:
            users.setdefault(f, []).append(name)
    platform = []
    for f, names in users.items():
        path = (ROOT / "src/platform" / f).resolve()
        if not path.is_file():
            fail(f"CMakeLists.txt names src/platform/{f}, which does not exist")
        platform.append((path, " || ".join(f"defined(GS__DIST_BACKEND_{n})" for n in names)))

    # The internal headers first, outside any backend's #if, so that each is inlined once
    # and seen by every file that includes it, whichever backends are compiled.
    headers = []
    for path in sources + [p for p, _ in platform]:
        am.internal_headers(path, headers)
    for path in headers:
        c.append(f"/* ======== {rel(path)} ======== */")
        am.expand(path, c, public_only=False)
        c.append("")

    for path in sources:
        emit_source(path)
    for path, cond in platform:
        emit_source(path, cond)
    for name in backends:
        c.append(f"#undef GS__DIST_BACKEND_{name}")

    (out_dir / "gosync.h").write_text("\n".join(h) + "\n")
    (out_dir / "gosync.c").write_text("\n".join(c) + "\n")


if __name__ == "__main__":
    main()
