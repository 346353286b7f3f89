"""The record of an unfinished transcription, so an interrupted run resumes.

A JSON-lines file beside the draft (``interview.vtt.partial``): a first line that says
what is being transcribed (the recording's sha256, the model, the chunk length), then
one line per finished chunk with its phrases and where the next chunk starts. A line cut
short by a crash is ignored; a file for another recording or model is started afresh.

>>> done = Checkpoint(Path("interview.vtt.partial"), identity).resume()
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from thematica.transcribe.draft import Phrase


@dataclass
class Progress:
    """What finished chunks gave: phrases with their voice prints, and where to go on."""

    phrases: list[Phrase] = field(default_factory=list)
    prints: list[list[float] | None] = field(default_factory=list)
    next_start: float = 0.0  # seconds
    language: str | None = None


class Checkpoint:
    """The checkpoint at ``path`` for the run described by ``identity``."""

    def __init__(self, path: Path, identity: dict[str, Any]) -> None:
        self.path = path
        self.identity = identity
        self._fresh = True

    def resume(self) -> Progress:
        """What an earlier run of the same transcription finished; else start a new file."""
        progress = Progress()
        lines = self._lines()
        if not lines or lines[0] != self.identity:
            # Written with the first chunk: a run that fails before then leaves nothing.
            self._fresh = True
            return progress
        self._fresh = False
        for chunk in lines[1:]:
            progress.phrases += [Phrase(**p) for p in chunk["phrases"]]
            progress.prints += chunk["prints"]
            progress.next_start = chunk["next_start"]
            progress.language = chunk["language"]
        return progress

    def save_chunk(
        self,
        phrases: list[Phrase],
        prints: list[list[float] | None],
        next_start: float,
        language: str,
    ) -> None:
        if self._fresh:
            self._write_line(self.identity, mode="w")
            self._fresh = False
        self._write_line(
            {
                "phrases": [asdict(p) for p in phrases],
                "prints": prints,
                "next_start": next_start,
                "language": language,
            }
        )

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _lines(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                break  # the line a crash cut short, and anything after it
        return found

    def _write_line(self, data: dict[str, Any], mode: str = "a") -> None:
        with self.path.open(mode, encoding="utf-8") as handle:
            handle.write(json.dumps(data) + "\n")
            handle.flush()
            # On disk before the next chunk starts: a power cut then loses one chunk.
            os.fsync(handle.fileno())
