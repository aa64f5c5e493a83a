#!/usr/bin/env python3
"""Checks that every #include "X/..." in src/<layer>/ names a layer that
ARCHITECTURE.md allows: the layer itself or one below it. One CMake library
per folder enforces the link graph; this enforces the include graph."""
import pathlib
import re
import sys

# Top to bottom, as in ARCHITECTURE.md: a layer may include itself and the
# layers after it in this list.
LAYERS = ["main", "admin", "s3", "http", "sovereignty", "audit", "iam", "catalog",
          "kms", "crypto", "meta", "blob", "common"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main(root: pathlib.Path) -> int:
    errors = []
    for layer_dir in sorted((root / "src").iterdir()):
        if not layer_dir.is_dir():
            continue
        layer = layer_dir.name
        if layer not in LAYERS:
            errors.append(f"src/{layer}: folder is not a layer of ARCHITECTURE.md")
            continue
        allowed = set(LAYERS[LAYERS.index(layer):])
        for f in sorted(layer_dir.rglob("*")):
            if f.suffix not in (".h", ".cc"):
                continue
            for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1)
                if target == "tests":
                    if not f.name.endswith(("_test.cc", "_test.h")):
                        errors.append(f"{f.relative_to(root)}:{n}: only tests may include tests/")
                    continue
                if target in LAYERS and target not in allowed:
                    errors.append(f"{f.relative_to(root)}:{n}: {layer} must not include {target}/ (a layer above it)")
    for e in errors:
        print(e)
    print(f"layering: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
