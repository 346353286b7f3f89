"""Two voices told apart: the clustering, on prints made to be told apart or not."""

import numpy as np
import pytest

from tests.transcribe.conftest import needs_extra


@pytest.fixture(autouse=True)
def _extra():
    needs_extra()


def test_two_groups_of_prints_become_two_speakers_the_first_heard_first():
    from thematica.transcribe.speakers import suggest_two

    rng = np.random.default_rng(7)
    low = [[*rng.normal(0, 1, 19), np.log(95) + rng.normal(0, 0.03)] for _ in range(6)]
    high = [[*rng.normal(0, 1, 19), np.log(210) + rng.normal(0, 0.03)] for _ in range(6)]
    prints = [high[0], low[0], low[1], high[1], None, low[2], high[2], high[3], low[3]]
    durations = [2.0] * len(prints)
    labels, unsure = suggest_two(prints, durations)
    # Speaker 0 speaks first; a phrase too short for a print takes the one before it.
    assert labels == [0, 1, 1, 0, 0, 1, 0, 0, 1]
    assert unsure == [False] * len(prints)


def test_short_phrases_are_labelled_but_do_not_shape_the_voices():
    from thematica.transcribe.speakers import suggest_two

    a, b, odd = [0.0] * 19 + [4.5], [0.0] * 19 + [5.3], [0.0] * 19 + [9.0]
    labels, _ = suggest_two([a, b, a, odd, b], [2.0, 2.0, 2.0, 0.3, 2.0])
    # Fitted on all five, the odd short one would be a voice of its own.
    assert labels == [0, 1, 0, 1, 1]


def test_a_phrase_between_the_voices_is_marked_unsure():
    from thematica.transcribe.speakers import suggest_two

    a, b, middle = [0.0] * 19 + [4.0], [0.0] * 19 + [6.0], [0.0] * 19 + [5.01]
    _, unsure = suggest_two([a, b, a, b, middle], [2.0, 2.0, 2.0, 2.0, 0.5])
    assert unsure == [False, False, False, False, True]


def test_fewer_than_two_prints_is_one_speaker():
    from thematica.transcribe.speakers import suggest_two

    assert suggest_two([None, [1.0] * 20, None], [0.1, 2.0, 0.1]) == ([0, 0, 0], [False] * 3)
    assert suggest_two([], []) == ([], [])
    # Prints all alike: k-means finds one voice, not two.
    assert suggest_two([[1.0] * 20] * 3, [2.0] * 3) == ([0, 0, 0], [False] * 3)


def test_a_voice_print_is_timbre_and_pitch_and_none_for_a_blip():
    from thematica.transcribe.audio import SAMPLE_RATE
    from thematica.transcribe.speakers import voice_print

    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    hum = (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    found = voice_print(hum)
    assert len(found) == 20
    assert np.exp(found[-1]) == pytest.approx(150, rel=0.03)
    assert voice_print(hum[:800]) is None


def test_a_process_makes_its_first_print_only_while_no_other_is_compiling():
    """Two processes compiling librosa's numba code at once can leave its cache pointing
    at the wrong machine code, and every later print crashes. A process makes its first
    print only while it holds the compile lock: here the test holds it."""
    import subprocess
    import sys
    import time

    from filelock import FileLock

    from thematica.transcribe.speakers import COMPILE_LOCK

    script = (
        "import numpy as np, librosa\n"
        "from thematica.transcribe.speakers import voice_print\n"
        "tone = np.sin(np.arange(16000) / 16000 * 2 * np.pi * 200).astype(np.float32)\n"
        "librosa.yin(tone, fmin=60, fmax=500, sr=16000)  # compiled or loaded: no wait\n"
        "print('ready', flush=True)\n"
        "voice_print(tone)\n"
        "print('printed', flush=True)\n"
    )
    with FileLock(COMPILE_LOCK):
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline() == "ready\n"
            time.sleep(1.0)  # a print takes about 10 ms once librosa is ready
            assert child.poll() is None
        except BaseException:
            child.kill()
            raise
    out, _ = child.communicate(timeout=120)
    assert out == "printed\n" and child.returncode == 0
