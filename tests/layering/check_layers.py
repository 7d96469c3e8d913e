#!/usr/bin/env python3
"""Checks every `#include "..."` of recgrad's own files against the layer graph of docs/architecture.md.

The ```layer-graph block there lists each folder and the folders it uses directly; a folder may also use
what those use, and a folder marked `*` (programs and checks on top) may use every folder. An include of
a project folder that is not allowed is an upward arrow, reported as file:line: from -> to.

    check_layers.py REPO           check the repository; exit 1 naming each upward arrow
    check_layers.py --self-test    check that a planted upward include is caught and a clean tree passes
"""
import os
import re
import sys
import tempfile

SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def read_graph(architecture_md):
    """{folder: set of folders it uses directly, or None for `*`} from the ```layer-graph block."""
    graph, inside = {}, False
    with open(architecture_md, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line == "```layer-graph":
                inside = True
            elif inside and line == "```":
                return graph
            elif inside and line:
                folder, sep, uses = line.partition(":")
                if not sep or not re.fullmatch(r"[a-z_]+", folder):
                    sys.exit(f"{architecture_md}:{number}: expected 'folder: folders it uses', got '{line}'")
                graph[folder] = None if uses.strip() == "*" else set(uses.split())
    sys.exit(f"{architecture_md}: no closed ```layer-graph block")


def allowed_folders(graph):
    """{folder: every folder it may use (itself, what it names, and what those may use)} for the libraries."""
    allowed = {}
    for folder, uses in graph.items():
        if uses is None:
            continue
        seen, pending = {folder}, list(uses)
        while pending:
            below = pending.pop()
            if below not in graph or graph[below] is None:
                sys.exit(f"docs/architecture.md layer graph: {folder} uses '{below}', which is not a library folder")
            if below not in seen:
                seen.add(below)
                pending.extend(graph[below])
        allowed[folder] = seen
    return allowed


def check(repo):
    """The list of problems, one line each."""
    graph = read_graph(os.path.join(repo, "docs", "architecture.md"))
    allowed = allowed_folders(graph)
    problems = []
    for top in sorted(os.listdir(repo)):
        path = os.path.join(repo, top)
        if not os.path.isdir(path) or top.startswith((".", "build")):
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            for name in sorted(filenames):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                file = os.path.join(dirpath, name)
                rel = os.path.relpath(file, repo)
                if top not in graph:
                    problems.append(f"{rel}: folder '{top}' is not in the layer graph of docs/architecture.md")
                    break
                if top not in allowed:
                    continue  # a program or check on top
                with open(file, encoding="utf-8", errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m or "/" not in m.group(1):
                            continue
                        used = m.group(1).split("/", 1)[0]
                        if used in graph and used not in allowed[top]:
                            problems.append(f'{rel}:{number}: #include "{m.group(1)}" is an upward arrow '
                                            f"{top} -> {used}; {top} may use only {', '.join(sorted(allowed[top]))}")
    return problems


def self_test():
    """A tree with one planted upward include must fail naming it; without it, it must pass."""
    def write(root, rel, text):
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)

    with tempfile.TemporaryDirectory() as root:
        write(root, "docs/architecture.md", "x\n```layer-graph\ncore:\nlayers: core\ntrain: layers\ntests: *\n```\n")
        write(root, "core/a.h", "#pragma once\n")
        write(root, "layers/b.h", '#include "core/a.h"\n')
        write(root, "train/c.h", '#include "layers/b.h"\n')
        write(root, "tests/t.cpp", '#include "train/c.h"\n')
        clean = check(root)
        write(root, "layers/b.cpp", '#include "layers/b.h"\n\n#include "train/c.h"\n')
        planted = check(root)
        write(root, "stray/d.cpp", "\n")
        stray = check(root)
    failures = []
    if clean:
        failures.append(f"a clean tree gave {clean}")
    if len(planted) != 1 or not planted[0].startswith("layers/b.cpp:3:") or "layers -> train" not in planted[0]:
        failures.append(f"the planted upward include gave {planted}")
    if not any(p.startswith("stray/d.cpp: folder 'stray'") for p in stray):
        failures.append(f"a folder missing from the graph gave {stray}")
    return failures


def main():
    if sys.argv[1:] == ["--self-test"]:
        failures = self_test()
    elif len(sys.argv) == 2:
        failures = check(sys.argv[1])
    else:
        sys.exit(__doc__)
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
