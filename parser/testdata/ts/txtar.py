#!/usr/bin/env python3
"""Read and write Go txtar archives (golang.org/x/tools/txtar) for capture.sh.

  txtar.py unpack ARCHIVE DIR      write the archive's files under DIR (skips upstream.*)
  txtar.py has ARCHIVE NAME        exit 0 if the archive holds file NAME
  txtar.py store ARCHIVE DIR       drop upstream.json/.err/.unloaded from the archive,
                                   then append those of DIR that exist
"""
import os
import sys

CAPTURED = ("upstream.json", "upstream.err", "upstream.unloaded")


def parse(data):
    """Split txtar text into (comment, [(name, data)]) as Go's txtar.Parse does."""
    files = []
    comment, name, rest = find_marker(data)
    while name is not None:
        body, next_name, rest = find_marker(rest)
        files.append((name, body))
        name = next_name
    return comment, files


def find_marker(data):
    """Return (before, name, after) for the first marker line, or (data, None, "")."""
    i = 0
    while True:
        if data.startswith("-- ", i):
            end = data.find("\n", i)
            line = data[i:] if end < 0 else data[i:end]
            if line.endswith(" --") and len(line) >= 6 and line[3:-3].strip():
                after = "" if end < 0 else data[end + 1:]
                return data[:i], line[3:-3].strip(), after
        j = data.find("\n", i)
        if j < 0:
            return data, None, ""
        i = j + 1


def fix_nl(s):
    if s and not s.endswith("\n"):
        return s + "\n"
    return s


def format_archive(comment, files):
    out = [fix_nl(comment)]
    for name, body in files:
        out.append("-- %s --\n" % name)
        out.append(fix_nl(body))
    return "".join(out)


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return parse(f.read())


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, archive = argv[0], argv[1]
    comment, files = read(archive)
    if cmd == "unpack":
        root = argv[2]
        for name, body in files:
            if name in CAPTURED:
                continue
            if name.startswith("/") or ".." in name.split("/"):
                sys.exit("txtar.py: bad file name %r in %s" % (name, archive))
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(body)
    elif cmd == "has":
        sys.exit(0 if any(n == argv[2] for n, _ in files) else 1)
    elif cmd == "store":
        root = argv[2]
        files = [(n, b) for n, b in files if n not in CAPTURED]
        for name in CAPTURED:
            path = os.path.join(root, name)
            if os.path.exists(path):
                with open(path, encoding="utf-8", newline="") as f:
                    files.append((name, f.read()))
        with open(archive, "w", encoding="utf-8", newline="") as f:
            f.write(format_archive(comment, files))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
