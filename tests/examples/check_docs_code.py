"""Checks that every ```cpp block of a docs page is compiled code: each block, with each line's
indentation removed, must appear as consecutive lines of one of the project's C++ files. So a page
that quotes the library (docs/extending.md) cannot drift from it.

  /usr/bin/python3 tests/examples/check_docs_code.py docs/extending.md
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("core", "layers", "models", "train", "examples", "tests")


def lines(text):
    return [line.strip() for line in text.splitlines()]


def contains(haystack, needle):
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def main(page):
    blocks = re.findall(r"^```cpp\n(.*?)^```", (ROOT / page).read_text(), re.S | re.M)
    if not blocks:
        sys.exit(f"check_docs_code: {page} has no ```cpp blocks")
    sources = {path: lines(path.read_text()) for d in SOURCE_DIRS for path in (ROOT / d).rglob("*")
               if path.suffix in (".h", ".cpp")}
    missing = [block for block in blocks if not any(contains(src, lines(block)) for src in sources.values())]
    for block in missing:
        print(f"{page}: this block is not in any source file of {', '.join(SOURCE_DIRS)}:\n{block}")
    if missing:
        sys.exit(1)
    print(f"{page}: all {len(blocks)} code blocks are compiled code")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_docs_code.py PAGE")
    main(sys.argv[1])
