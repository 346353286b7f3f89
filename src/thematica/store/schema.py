"""The project schema as SQLAlchemy Core tables.

Alembic migrations (``store/migrations``) create and change these tables; this module is
the shape the code queries against. Every table has an integer ``id`` so that the audit
log can record and undo any change the same way. Foreign keys never cascade: a row that
others point to must be removed explicitly, which the audit log then records.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

setting = Table(
    "setting",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(100), nullable=False, unique=True),
    Column("value", Text, nullable=False),
)

source = Table(
    "source",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("length", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("checksum", String(64), nullable=False, index=True),
    Column("media_path", Text),
    Column("origin", Text),
    Column("created", String(32), nullable=False),
)

# The canonical text again, cut into fixed pieces of CHUNK code points, so that a
# segment and its context are read from one or two small rows instead of the whole
# transcript (SQL substr has to walk a long text from its start every time). A chunk's
# id is computed from its source and number (see chunk_id), so it is found with one
# primary-key lookup and a source's chunks sit together in the table.
CHUNK = 2000
CHUNKS_PER_SOURCE = 1 << 20


def chunk_id(source_id: int, n: int) -> int:
    """The id of chunk ``n`` (from 0) of a source."""
    return source_id * CHUNKS_PER_SOURCE + n


source_chunk = Table(
    "source_chunk",
    metadata,
    # BIGINT on PostgreSQL; INTEGER on SQLite, where only that makes it the rowid.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("n", Integer, nullable=False),
    Column("text", Text, nullable=False),
    UniqueConstraint("source_id", "n"),
)

case = Table(
    "case",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("label", String(200), nullable=False, unique=True),
)

turn = Table(
    "turn",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("case_id", Integer, ForeignKey("case.id")),
    Column("t_start", Integer),
    Column("t_end", Integer),
    Index("ix_turn_source_id_start", "source_id", "start"),
)
# The turns a participant claims (in a joint interview or a group) are few: a partial
# index, ix_turn_claimed, finds them without reading every turn. It is written in its
# migration (0006) alone: declaring it here needs a dialect's where= argument, and
# SQLAlchemy then imports its PostgreSQL dialect, asyncio with it, into every command.

attribute = Table(
    "attribute",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("position", Integer, nullable=False),
    Column("levels", JSON),  # the ordered values of an ordinal attribute
)

# Time anchors: the words of [start, end) are spoken from ms milliseconds into the
# recording (a subtitle cue, a timestamped transcript line).
time_anchor = Table(
    "time_anchor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("ms", Integer, nullable=False),
    Index("ix_time_anchor_source_id_start", "source_id", "start"),
)

case_value = Table(
    "case_value",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("case.id"), nullable=False),
    Column("attribute_id", Integer, ForeignKey("attribute.id"), nullable=False),
    Column("value", Text),
    UniqueConstraint("case_id", "attribute_id"),
)

source_case = Table(
    "source_case",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("case.id"), nullable=False, index=True),
    UniqueConstraint("source_id", "case_id"),
)

code = Table(
    "code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("code.id"), index=True),
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("colour", String(7), nullable=False),
    Column("position", Integer, nullable=False),
    # Raised by every change to the row: the team server refuses an edit made against
    # an older version (optimistic concurrency; see Codebook.rename).
    Column("version", Integer, nullable=False, default=1, server_default="1"),
)

coder = Table(
    "coder",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("blind", Boolean, nullable=False, default=False),
)

coding = Table(
    "coding",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("code.id"), nullable=False),
    Column("coder_id", Integer, ForeignKey("coder.id"), nullable=False),
    Column("created", String(32), nullable=False),
    Column("provenance", String(200), nullable=False, default=""),
    # Covers the columns retrieval and comparison read, so a code's codings come
    # straight from the index.
    Index("ix_coding_code_coder_source", "code_id", "coder_id", "source_id", "start", "end"),
    Index("ix_coding_source_id_start", "source_id", "start"),
)

memo = Table(
    "memo",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("anchor_kind", String(20), nullable=False),
    Column("anchor_id", Integer),
    Column("source_id", Integer, ForeignKey("source.id")),
    Column("start", Integer),
    Column("end", Integer),
    Column("title", String(300), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created", String(32), nullable=False),
    Index("ix_memo_anchor_kind_anchor_id", "anchor_kind", "anchor_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target", Text, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("changes", JSON),
    Column("undone_by", Integer),
)

# Sources chosen for double coding: a second coder codes them independently, and while
# a coder is blind, other coders' codings of these sources are hidden from them.
double_coded = Table(
    "double_coded",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False, unique=True),
    Column("method", String(300), nullable=False),  # by hand, or the draw and its seed
    Column("picked", String(32), nullable=False),
)

# A disagreement between coder layers, queued for the team to resolve into a consensus
# layer: one code, one stretch of a source where the layers' codings differ.
consensus_item = Table(
    "consensus_item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("code.id"), nullable=False),
    Column("layer_id", Integer, ForeignKey("coder.id"), nullable=False),
    Column("coders", String(500), nullable=False),  # the layers compared, comma-separated
    Column("status", String(20), nullable=False),  # open | resolved
    Column("resolution", String(20)),
    Column("resolved_by", String(200)),
    Column("resolved_at", String(32)),
    Column("memo_id", Integer),
    Index("ix_consensus_item_layer_status", "layer_id", "status"),
)

# Themes and subthemes (a tree), as in reflexive thematic analysis: a name, a definition,
# a status (candidate -> reviewed -> defined) and a place among its siblings. A
# contextual theme frames the others rather than answering the question itself. A
# theme's history is found by its id, so SQLite must never give a deleted theme's id to
# a new one (AUTOINCREMENT; PostgreSQL's sequences never do). Quotes likewise.
theme = Table(
    "theme",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("theme.id"), index=True),
    Column("name", String(500), nullable=False),
    Column("definition", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),  # candidate | reviewed | defined
    Column("contextual", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False),
    sqlite_autoincrement=True,
)

# The codes a theme is built from; a linked code brings its child codes with it.
theme_code = Table(
    "theme_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("theme_id", Integer, ForeignKey("theme.id"), nullable=False),
    Column("code_id", Integer, ForeignKey("code.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    UniqueConstraint("theme_id", "code_id"),
)

# An exemplar quote chosen for a theme: a coded segment's span (copied from the coding,
# which may later go: coding_id is a reminder, not a key), and, in exemplar_span, the
# pieces of it that are kept; the words between kept pieces become an elision. Both
# anchor spans, so a change of text remaps them (SPAN_TABLES lists exemplar_span first:
# a kept piece lies inside its exemplar, and goes before it when an edit deletes both).
exemplar = Table(
    "exemplar",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("theme_id", Integer, ForeignKey("theme.id"), nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("coding_id", Integer),
    Column("interviewer", Boolean, nullable=False, default=False),  # keep interviewer turns
    Column("position", Integer, nullable=False),
    Column("author", String(200), nullable=False),
    Column("created", String(32), nullable=False),
    sqlite_autoincrement=True,
)

exemplar_span = Table(
    "exemplar_span",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exemplar_id", Integer, ForeignKey("exemplar.id"), nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("source.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

# The researcher's summary of one participant's data for one theme: a cell of the
# framework matrix (participants x themes).
framework_summary = Table(
    "framework_summary",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("theme_id", Integer, ForeignKey("theme.id"), nullable=False),
    Column("case_id", Integer, ForeignKey("case.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("updated", String(32), nullable=False),
    UniqueConstraint("theme_id", "case_id"),
)

# Source and case sets (thematica.query.sets). A static set lists its members; a
# dynamic set keeps its definition (a filter, or "cases coded with this code") and is
# worked out each time it is used. Members are ids without a foreign key, so deleting a
# source or withdrawing a participant is never blocked by a set: the member drops out.
query_set = Table(
    "query_set",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),  # source | case
    Column("definition", JSON),  # None for a static set
    Column("description", Text, nullable=False, default=""),
    Column("author", String(200), nullable=False),
    Column("created", String(32), nullable=False),
)


def _set_members(kind: str) -> Table:
    # One table per kind of member, each with its foreign key, so that deleting a source
    # or a participant (a withdrawal) takes their memberships with them.
    return Table(
        f"query_set_{kind}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("set_id", Integer, ForeignKey("query_set.id"), nullable=False),
        Column("member_id", Integer, ForeignKey(f"{kind}.id"), nullable=False),
        UniqueConstraint("set_id", "member_id"),
    )


query_set_members = {kind: _set_members(kind) for kind in ("source", "case")}

# Saved queries (thematica.query.saved): a name, the kind of query and everything needed
# to run it again.
saved_query = Table(
    "saved_query",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("author", String(200), nullable=False),
    Column("created", String(32), nullable=False),
)

# Assisted coding (thematica.assist). A cache of text embeddings, one row per model and
# text: content-addressed by the model's name and weights hash and the text's SHA-256, so
# a passage is embedded again only when its words change (or the model does). Derived
# data, written outside the audit log; rows no text of the project hashes to any more
# are pruned.
embedding = Table(
    "embedding",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("model", String(200), nullable=False),
    Column("model_hash", String(64), nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float16, little-endian
    UniqueConstraint("model", "model_hash", "text_hash"),
)

# A suggestion a person accepted: the coding it became (made by that person, in one
# transaction with this row), the model that proposed it, its score, what it was
# similar to, and when. coding_id is a reminder, not a key: uncoding must not be
# blocked by it, and a record whose coding is gone is not counted.
accepted_suggestion = Table(
    "accepted_suggestion",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coding_id", Integer, nullable=False, index=True),
    Column("model", String(200), nullable=False),
    Column("model_hash", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("basis", String(300), nullable=False),  # "code Warmth" or "coding 41"
    Column("accepted_by", String(200), nullable=False),
    Column("at", String(32), nullable=False),
)

# The team server (thematica.team): accounts, each account's one role in this project,
# and log-in sessions. A session's token is stored only as its SHA-256 (a stolen copy of
# the table opens no session); ``csrf`` is the token the session's pages carry.
team_user = Table(
    "team_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),  # also the coder's name
    Column("password_hash", String(200), nullable=False),  # argon2id, PHC string
    Column("admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created", String(32), nullable=False),
)

team_grant = Table(
    "team_grant",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("team_user.id"), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # lead | coder | viewer
    Column("granted", String(32), nullable=False),
)

team_session = Table(
    "team_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("team_user.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created", String(32), nullable=False),
    Column("expires", String(32), nullable=False),
    Column("address", String(100), nullable=False),
)

TABLES = {t.name: t for t in metadata.sorted_tables}

# Tables whose rows anchor a [start, end) span to a source's text. A change of the text
# remaps every one of them (thematica.ingest.sources.Sources.edit_text).
SPAN_TABLES = (coding, memo, turn, time_anchor, consensus_item, exemplar_span, exemplar)
