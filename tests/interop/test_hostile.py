"""Hostile files: each is refused with one clear error, and nothing is written."""

import stat
import struct
import zipfile

import pytest

from thematica import create_project
from thematica.errors import InvalidInput
from thematica.interop import import_file, import_into
from thematica.interop import importer as importer_module

QDE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="p" origin="Test">'
    '<Users><User guid="00000000-0000-4000-8000-000000000001" name="Ana"/></Users>'
    '<CodeBook><Codes><Code guid="00000000-0000-4000-8000-000000000002" name="C" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="00000000-0000-4000-8000-000000000003" name="t" '
    'plainTextPath="internal://00000000-0000-4000-8000-000000000003.txt"/></Sources>'
    "</Project>"
)
TEXT_MEMBER = "sources/00000000-0000-4000-8000-000000000003.txt"


def _zip(path, members: list[tuple[zipfile.ZipInfo | str, bytes]]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def _patch_sizes(path, sizes: dict[str, int]):
    """Rewrite the uncompressed sizes the central directory declares for members."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        name = bytes(data[at + 46 : at + 46 + name_length]).decode()
        if name in sizes:
            struct.pack_into("<I", data, at + 24, sizes[name])
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))
    return path


def refused(path, tmp_path, match):
    target = tmp_path / "new.thematica"
    with pytest.raises(InvalidInput, match=match):
        import_file(path, into=target)
    assert not target.exists()  # nothing written, not even an empty project


def test_a_zip_bomb_by_ratio(tmp_path):
    bomb = QDE.replace("</Project>", " " * 5_000_000 + "</Project>").encode()
    path = _zip(tmp_path / "bomb.qdpx", [("project.qde", bomb)])
    refused(path, tmp_path, "would inflate to more than its limits")


def test_a_qde_of_one_gigabyte_declared_in_the_archive(tmp_path):
    path = _zip(tmp_path / "big.qdpx", [("project.qde", QDE.encode())])
    _patch_sizes(path, {"project.qde": 1 << 30})
    refused(path, tmp_path, "would inflate to more than its limits")


def test_members_that_add_up_past_the_total_limit(tmp_path):
    members = [("project.qde", QDE.encode())] + [(f"sources/{n}.txt", b"x") for n in range(4)]
    path = _zip(tmp_path / "many.qdpx", members)
    _patch_sizes(path, {f"sources/{n}.txt": 150 << 20 for n in range(4)})
    refused(path, tmp_path, "would inflate to more than its limits")


def test_a_member_that_inflates_past_what_it_declares(tmp_path):
    path = _zip(tmp_path / "liar.qdpx", [("project.qde", QDE.encode()), (TEXT_MEMBER, b"a" * 5000)])
    _patch_sizes(path, {TEXT_MEMBER: 10})
    refused(path, tmp_path, "damaged")


def test_a_bare_qde_of_one_gigabyte(tmp_path):
    path = tmp_path / "huge.qde"
    with path.open("wb") as handle:
        handle.truncate(1 << 30)  # sparse: takes no room
    refused(path, tmp_path, "1024 MB; REFI-QDA files over 200 MB are refused")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "sources/..\\..\\evil.txt"])
def test_zip_slip_paths(tmp_path, name):
    path = _zip(tmp_path / "slip.qdpx", [("project.qde", QDE.encode()), (name, b"x")])
    refused(path, tmp_path, "member outside the archive")


def test_symbolic_links_in_the_archive(tmp_path):
    link = zipfile.ZipInfo(TEXT_MEMBER)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(tmp_path / "link.qdpx", [("project.qde", QDE.encode()), (link, b"/etc/passwd")])
    refused(path, tmp_path, "holds a symbolic link")


def test_xml_external_entities(tmp_path):
    xxe = QDE.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace('name="p"', 'name="&x;"')
    path = _zip(tmp_path / "xxe.qdpx", [("project.qde", xxe.encode())])
    refused(path, tmp_path, "declares a DTD or entities")


def test_entity_expansion(tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    laughs = f'<?xml version="1.0"?><!DOCTYPE Project [{entities}]>' + QDE.split("?>", 1)[
        1
    ].replace('name="p"', 'name="&i;"')
    path = tmp_path / "laughs.qde"
    path.write_text(laughs, encoding="utf-8")
    refused(path, tmp_path, "declares a DTD or entities")


def test_deeply_nested_xml(tmp_path):
    deep = '<Code guid="00000000-0000-4000-8000-000000000002" name="C" isCodable="true">' * 5000
    path = tmp_path / "deep.qde"
    path.write_text(
        QDE.replace("<Codes>", "<Codes>" + deep).replace("</Codes>", "</Code>" * 5000 + "</Codes>"),
        encoding="utf-8",
    )
    refused(path, tmp_path, "malformed XML")


@pytest.mark.parametrize(
    ("xml", "match"),
    [
        (
            QDE.replace("urn:QDA-XML:project:1.0", "urn:example:other"),
            "not a REFI-QDA project or codebook",
        ),
        (QDE.replace(' xmlns="urn:QDA-XML:project:1.0"', ""), "with no namespace"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "its root is <html>"),
        ("not xml at all", "malformed XML"),
    ],
)
def test_wrong_namespaces_and_not_xml(tmp_path, xml, match):
    path = tmp_path / "wrong.qde"
    path.write_text(xml, encoding="utf-8")
    refused(path, tmp_path, match)


def test_a_codebook_given_as_a_project(tmp_path, sqlite_project):
    path = tmp_path / "codes.qdc"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="00000000-0000-4000-8000-000000000002" name="C" isCodable="true"/>'
        "</Codes></CodeBook>"
    )
    with pytest.raises(InvalidInput, match="is a REFI-QDA codebook, not a project"):
        import_into(sqlite_project, path)


def test_an_archive_without_a_qde(tmp_path):
    path = _zip(tmp_path / "empty.qdpx", [("sources/a.txt", b"x")])
    refused(path, tmp_path, "holds no .qde project file")


def test_a_failure_half_way_leaves_nothing(tmp_path, monkeypatch, project):
    path = _zip(tmp_path / "ok.qdpx", [("project.qde", QDE.encode()), (TEXT_MEMBER, b"Ana: hi")])

    def broken(*args, **kwargs):
        raise InvalidInput("disk on fire")

    monkeypatch.setattr(importer_module, "_write_cases", broken)
    refused(path, tmp_path, "disk on fire")  # a new project is removed again
    events = len(project.log(None))
    with pytest.raises(InvalidInput, match="disk on fire"):
        import_into(project, path)
    assert len(project.log(None)) == events
    assert project.sources.list() == [] and project.codes.list() == []


def test_external_paths_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    qde = QDE.replace("internal://00000000-0000-4000-8000-000000000003.txt", f"absolute://{secret}")
    path = _zip(tmp_path / "ext.qdpx", [("project.qde", qde.encode())])
    report = import_file(path, into=tmp_path / "ext.thematica")
    assert report.sources == 0
    assert report.skipped == [
        ("source 't'", f"its text is an external file (absolute://{secret}), which is not read")
    ]


def test_creating_the_project_needs_a_new_place(tmp_path):
    create_project(tmp_path / "there.thematica").close()
    path = _zip(tmp_path / "ok.qdpx", [("project.qde", QDE.encode()), (TEXT_MEMBER, b"Ana: hi")])
    report = import_file(path, into=tmp_path / "there.thematica")  # empty: allowed
    assert report.sources == 1
    with pytest.raises(InvalidInput, match="is not empty"):
        import_file(path, into=tmp_path / "there.thematica")
