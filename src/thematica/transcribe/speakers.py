"""Suggesting who speaks when: two voices told apart by their sound.

Each phrase gets a voice print (librosa): the mean of its MFCCs, which describe the
timbre of a voice and the room it was recorded in, and its median pitch. The prints are
clustered into two groups (k-means, SciPy). These are suggestions: the draft
says so, and the researcher confirms or fixes every label before import.

>>> prints = [voice_print(samples[a:b]) for a, b in spans]
>>> labels, unsure = suggest_two(prints, durations)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from thematica.transcribe.audio import SAMPLE_RATE

# Shorter phrases say little about a voice: they are labelled by the clusters the
# longer ones make, not allowed to shape them.
MIN_FIT_SECONDS = 1.0
MIN_PRINT_SAMPLES = SAMPLE_RATE // 10
# Between 60 Hz (a low male voice) and 500 Hz (a child's): pitch outside is not speech.
PITCH_RANGE = (60.0, 500.0)
# A phrase whose distances to the two voices differ by less than this share of their sum
# is marked for checking.
UNSURE_MARGIN = 0.1


def voice_print(samples: np.ndarray) -> list[float] | None:
    """MFCC means (without the first, which is loudness) and the median log pitch of the
    voiced part of one phrase; None for a phrase too short to tell."""
    if len(samples) < MIN_PRINT_SAMPLES:
        return None
    with _first_use(samples.dtype):
        import librosa

        mfcc = librosa.feature.mfcc(y=samples, sr=SAMPLE_RATE, n_mfcc=20)[1:]
        pitch = librosa.yin(samples, fmin=PITCH_RANGE[0], fmax=PITCH_RANGE[1], sr=SAMPLE_RATE)
        loudness = librosa.feature.rms(y=samples)[0][: len(pitch)]
    # yin guesses a pitch for every frame, pauses included: keep the louder half.
    voiced = pitch[: len(loudness)][loudness >= np.median(loudness)]
    return [*mfcc.mean(axis=1).tolist(), float(np.log(np.median(voiced)))]


# The kinds of samples this process has made prints of: librosa's compiled code for them
# is loaded.
_USED: set[np.dtype] = set()
# One per user: a shared compute node's /tmp is everyone's, and another user's lock file
# could not be opened. (Windows' temporary folder is the user's own.)
COMPILE_LOCK = Path(tempfile.gettempdir()) / (
    f"thematica-librosa-compile-{os.getuid()}.lock"
    if hasattr(os, "getuid")
    else "thematica-librosa-compile.lock"
)


@contextmanager
def _first_use(dtype: np.dtype) -> Iterator[None]:
    """Make a process's first print (of each kind of samples) one process at a time.

    librosa compiles parts of itself with numba when first used, and numba keeps the
    compiled code in files beside librosa, numbered by a count it reads and writes back
    unlocked. Two processes compiling at once (the workers of a batch, a fresh install)
    can each write file 1 for a different function; from then on every process that
    loads it runs the wrong machine code and crashes, until the files are deleted. A
    lock file held through the first use lets one process compile and write while the
    others wait, then load what it wrote.
    """
    if dtype in _USED:
        yield
        return
    from filelock import FileLock

    with FileLock(COMPILE_LOCK):
        yield
    _USED.add(dtype)


def suggest_two(
    prints: Sequence[Sequence[float] | None], durations: Sequence[float]
) -> tuple[list[int], list[bool]]:
    """A speaker (0 or 1; 0 speaks first) for each phrase, and whether it is unsure.

    A phrase without a print takes the speaker of the phrase before it. With fewer than
    two prints there is nothing to tell apart: every phrase is speaker 0.
    """
    known = [i for i, p in enumerate(prints) if p is not None]
    labels = [0] * len(prints)
    unsure = [False] * len(prints)
    if len(known) < 2:
        return labels, unsure
    from scipy.cluster.vq import kmeans

    matrix = np.array([prints[i] for i in known])
    matrix = (matrix - matrix.mean(axis=0)) / (matrix.std(axis=0) + 1e-9)
    # Pitch and timbre get an equal say: the 19 MFCCs together weigh as much as the
    # one pitch column. Weighed one column each, the MFCCs' share of what is said (the
    # vowels of a phrase) outvotes the voice that says it.
    matrix[:, :-1] /= np.sqrt(matrix.shape[1] - 1)
    long = [row for row, i in enumerate(known) if durations[i] >= MIN_FIT_SECONDS]
    fit_on = matrix[long] if len(long) >= 2 else matrix
    # The best of ten runs from different starts, seeded: the same recording always
    # gets the same suggestion.
    centres, _ = kmeans(fit_on, 2, iter=10, rng=0)
    if len(centres) < 2:  # every print alike: one voice
        return labels, unsure
    distances = np.linalg.norm(matrix[:, None, :] - centres[None, :, :], axis=2)
    found = distances.argmin(axis=1)
    margins = np.abs(distances[:, 0] - distances[:, 1]) / (distances.sum(axis=1) + 1e-9)
    first = found[0]
    for row, i in enumerate(known):
        labels[i] = int(found[row] != first)
        unsure[i] = bool(margins[row] < UNSURE_MARGIN)
    for i, p in enumerate(prints):
        if p is None and i:
            labels[i] = labels[i - 1]
    return labels, unsure
