"""`thematica batch transcribe` on a local Dask cluster: the same drafts as the
one-machine command, confirmed into the project in order, never written over."""

import shutil

import pytest

from tests.transcribe.conftest import needs_extra, needs_speech
from thematica import create_project
from thematica.errors import InvalidInput

# Two short fictional interviews, written for this test.
SCRIPTS = {
    "visit-a.wav": [
        ("Interviewer", "How did the first week at home go?"),
        ("Mother", "It was hard at night, but my sister stayed with us for a while."),
        ("Interviewer", "Who else helped you?"),
        ("Mother", "The health visitor came on Tuesday and weighed the baby."),
    ],
    "visit-b.wav": [
        ("Interviewer", "What did you think of the group sessions?"),
        ("Mother", "I liked meeting other mums who felt the same as me."),
    ],
}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    needs_extra()
    needs_speech()
    from thematica.transcribe.synthetic import synthesise

    folder = tmp_path_factory.mktemp("recordings")
    for name, script in SCRIPTS.items():
        synthesise(script, folder / name)
    return folder


def copies(recordings, folder):
    folder.mkdir()
    return [shutil.copy(recordings / name, folder / name) for name in SCRIPTS]


def test_batch_drafts_match_one_machine_and_are_confirmed_in_order(tmp_path, client, recordings):
    from thematica.batch import transcribe_recordings
    from thematica.transcribe.pipeline import Transcriber

    one = copies(recordings, tmp_path / "one")
    transcriber = Transcriber("tiny.en")
    for recording in one:
        transcriber.transcribe(recording)

    batch = copies(recordings, tmp_path / "batch")
    project = create_project(tmp_path / "batch.thematica", actor="tester")
    summary = transcribe_recordings(project, batch, client)
    assert summary.done == [str(r) for r in batch] and summary.failed == []
    for a, b in zip(one, batch, strict=True):
        assert a.with_suffix(".vtt").read_bytes() == b.with_suffix(".vtt").read_bytes()
    assert [(s.name, s.media) for s in project.sources.list()] == [
        (r.with_suffix(".vtt").name, str(r.resolve())) for r in batch
    ]

    # Again: the drafts are there (perhaps corrected by now), so nothing is redone.
    draft = batch[0].with_suffix(".vtt")
    corrected = draft.read_text(encoding="utf-8").replace("sister", "sister Amy")
    draft.write_text(corrected, encoding="utf-8")
    again = transcribe_recordings(project, batch, client)
    assert again.already == [str(r) for r in batch] and again.done == []
    assert draft.read_text(encoding="utf-8") == corrected

    # A run stopped after the second recording's draft: the first is transcribed now,
    # and both are confirmed in the order given, the kept draft in its place.
    draft.unlink()
    resumed = create_project(tmp_path / "resumed.thematica", actor="tester")
    again = transcribe_recordings(resumed, batch, client)
    assert (again.done, again.already) == ([str(batch[0])], [str(batch[1])])
    assert [s.name for s in resumed.sources.list()] == ["visit-a.vtt", "visit-b.vtt"]
    assert [s.id for s in resumed.sources.list()] == [1, 2]


def test_a_missing_recording_or_model_fails_before_any_work(tmp_path, client, recordings):
    from thematica.batch import transcribe_recordings

    with pytest.raises(InvalidInput, match="no such recording: .*gone.wav"):
        transcribe_recordings(None, [recordings / "visit-a.wav", tmp_path / "gone.wav"], client)
    with pytest.raises(InvalidInput, match="no-such-model"):
        transcribe_recordings(None, [recordings / "visit-a.wav"], client, model="no-such-model")
    assert not (recordings / "visit-a.vtt").exists()
