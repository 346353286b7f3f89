"""Codes a project one transaction at a time until it is killed.

    python writer.py PROJECT LOG

After each commit the new coding's id is appended to LOG and flushed to disk, so LOG
lists every coding the writer knew to be committed when it died.
"""

import os
import sys

import thematica


def main(location: str, log_path: str) -> None:
    project = thematica.open_project(location, actor="writer")
    length = len(project.sources.text("one.txt"))
    with open(log_path, "a", encoding="utf-8") as log:
        for n in range(1_000_000):
            start = n % (length - 1)
            end = min(length, start + 1 + n // (length - 1))
            coding = project.codings.add("one.txt", "Warmth", start, end)
            log.write(f"{coding.id}\n")
            log.flush()
            os.fsync(log.fileno())


if __name__ == "__main__":
    main(*sys.argv[1:])
