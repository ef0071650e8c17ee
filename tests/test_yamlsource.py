"""Unit tests of briefs.source.yamlsource.load_yaml: line map, scalars, limits and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefs.errors import BriefsError, ContentError, Diagnostic
from briefs.source import yamlsource
from briefs.source.yamlsource import MAX_BYTES, MAX_DEPTH, YamlDocument, load_yaml


def write(tmp_path: Path, text: str | bytes, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def load(tmp_path: Path, text: str | bytes) -> YamlDocument:
    return load_yaml(write(tmp_path, text))


def errors(tmp_path: Path, text: str | bytes) -> list[Diagnostic]:
    path = write(tmp_path, text)
    with pytest.raises(ContentError) as info:
        load_yaml(path)
    for diagnostic in info.value.diagnostics:
        assert diagnostic.location.path == path
    return list(info.value.diagnostics)


def one_error(tmp_path: Path, text: str | bytes) -> Diagnostic:
    found = errors(tmp_path, text)
    assert len(found) == 1, found
    return found[0]


# ----------------------------------------------------------------------------- the line map

NESTED = """\
# a comment line
id: x
title:
  zh-CN: 标题
  en: Title
chain: {id: ai, stage: models}
items:
  - plain
  - id: first
    tags: [a, b]
  -
    id: second
flow: [one, {k: v}]
"""


def test_line_map_of_nested_keys_and_list_items(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)
    lines = doc.lines
    assert lines[()] == (2, 1)
    assert lines[("id",)] == (2, 1)
    assert lines[("title",)] == (3, 1)
    assert lines[("title", "zh-CN")] == (4, 3)
    assert lines[("title", "en")] == (5, 3)
    assert lines[("chain", "id")] == (6, 9)
    assert lines[("chain", "stage")] == (6, 17)
    assert lines[("items", 0)] == (8, 5)
    assert lines[("items", 1)] == (9, 5)
    assert lines[("items", 1, "id")] == (9, 5)
    assert lines[("items", 1, "tags")] == (10, 5)
    assert lines[("items", 1, "tags", 1)] == (10, 15)
    assert lines[("items", 2, "id")] == (12, 5)
    assert lines[("flow", 1, "k")] == (13, 14)


def test_every_data_path_has_a_line(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)

    def paths(value: object, prefix: tuple = ()) -> list[tuple]:
        found = [prefix]
        if isinstance(value, dict):
            for key, child in value.items():
                found += paths(child, (*prefix, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                found += paths(child, (*prefix, i))
        return found

    for key_path in paths(doc.data):
        assert key_path in doc.lines, key_path


def test_location_falls_back_to_deepest_known_prefix(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)
    # A missing key is reported at its mapping; unknown parts (pydantic union tags) are skipped.
    assert (doc.location(("title", "fr")).line, doc.location(("title", "fr")).column) == (3, 1)
    assert doc.location(("items", 1, "own-risk", "tags", 0)).line == 10
    assert doc.location(("items", 1, "own-risk", "tags", 0)).column == 12
    assert doc.location(()).line == 2
    assert doc.location(("nope", "deeper")).line == 2
    assert doc.location(("items", 7)).line == doc.lines[("items",)][0]


def test_lines_with_crlf_endings(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED.replace("\n", "\r\n"))
    assert doc.lines[("title", "en")] == (5, 3)
    assert doc.lines[("items", 2, "id")] == (12, 5)
    assert doc.data["title"]["en"] == "Title"


def test_block_scalar_text_and_line(tmp_path: Path) -> None:
    doc = load(tmp_path, "body:\n  en: |\n    First line.\n\n    Second: paragraph.\n  zh-CN: >\n    折叠\n    文本\n")
    assert doc.data["body"]["en"] == "First line.\n\nSecond: paragraph.\n"
    assert doc.data["body"]["zh-CN"] == "折叠 文本\n"
    assert doc.lines[("body", "en")] == (2, 3)
    assert doc.lines[("body", "zh-CN")] == (6, 3)


# ----------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("000063", "000063"),
        ("000063.SZ", "000063.SZ"),
        ("0700.HK", "0700.HK"),
        ("no", "no"),
        ("yes", "yes"),
        ("off", "off"),
        ("on", "on"),
        ("y", "y"),
        ("True", "True"),
        ("FALSE", "FALSE"),
        ("Null", "Null"),
        ("1.5", "1.5"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("-5", "-5"),
        ("1_000", "1_000"),
        ("2025-02-16", "2025-02-16"),
        ("12:30:00", "12:30:00"),
        ("=", "="),
        ("true", True),
        ("false", False),
        ("null", None),
        ("~", None),
        ("", None),
    ],
)
def test_plain_scalars(tmp_path: Path, source: str, expected: object) -> None:
    value = load(tmp_path, f"key: {source}\n").data["key"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("source", ['"true"', "'false'", '"null"', "'~'", '""', "''", '"000063"', "'no'", '"1.5"'])
def test_quoted_scalars_are_always_text(tmp_path: Path, source: str) -> None:
    value = load(tmp_path, f"key: {source}\n").data["key"]
    assert isinstance(value, str)
    assert value == source[1:-1]


def test_quoted_escapes_are_decoded(tmp_path: Path) -> None:
    doc = load(tmp_path, 'a: "tab\\there \\"q\\" \\u4e2d"\nb: \'it\'\'s\'\n')
    assert doc.data == {"a": 'tab\there "q" 中', "b": "it's"}


def test_keys_are_text(tmp_path: Path) -> None:
    doc = load(tmp_path, "1: one\ntrue: yes\n~: tilde\n000063: code\n")
    assert doc.data == {"1": "one", "true": "yes", "~": "tilde", "000063": "code"}


def test_safe_explicit_tags_keep_text(tmp_path: Path) -> None:
    doc = load(tmp_path, "a: !!str 012\nb: !!int 012\nc: !<tag:yaml.org,2002:str> x\n")
    assert doc.data == {"a": "012", "b": "012", "c": "x"}


def test_empty_list_and_mapping(tmp_path: Path) -> None:
    assert load(tmp_path, "a: []\nb: {}\n").data == {"a": [], "b": {}}


def test_top_level_sequence(tmp_path: Path) -> None:
    doc = load(tmp_path, "- a\n- b\n")
    assert doc.data == ["a", "b"]
    assert doc.lines[(1,)] == (2, 3)


# ----------------------------------------------------------------------------- refusals


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    error = one_error(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\n")
    assert (error.location.line, error.location.column) == (4, 3)
    assert error.message == "duplicate key 'c' (first defined on line 3)"


def test_every_duplicate_is_reported(tmp_path: Path) -> None:
    found = errors(tmp_path, "a: 1\na: 2\nb: 0\na: 3\n")
    assert [(d.location.line, d.message) for d in found] == [
        (2, "duplicate key 'a' (first defined on line 1)"),
        (4, "duplicate key 'a' (first defined on line 1)"),
    ]


def test_all_problems_of_a_file_are_collected(tmp_path: Path) -> None:
    found = errors(tmp_path, "a: !!python/name:os.system x\nb: !!binary aGk=\nc: 1\nc: 2\n? [k]\n: v\n")
    assert [d.location.line for d in found] == [1, 2, 4, 5]
    assert all(d.severity == "error" for d in found)
    assert "mapping keys must be plain text" in found[-1].message


@pytest.mark.parametrize(
    "text",
    [
        'a: !!python/object/apply:os.system ["echo hi"]\n',
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x: null}\n",
        "a: !!omap [x: 1]\n",
        "a: !local value\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!thing value\n",
    ],
)
def test_tags_are_refused(tmp_path: Path, text: str) -> None:
    error = one_error(tmp_path, text)
    assert "YAML tags are not allowed" in error.message
    assert error.location.line == text.count("\n")


def test_python_tag_is_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    error = one_error(tmp_path, f'a: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert "YAML tags are not allowed" in error.message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "line", "word"),
    [
        ("a: &x 1\nb: 2\n", 1, "anchors (&x)"),
        ("a: 1\nb: *x\n", 2, "aliases (*x)"),
        ("base: &b {k: v}\nother:\n  <<: *b\n", 1, "anchors (&b)"),
        ("a:\n  - 1\n  - *y\n", 3, "aliases (*y)"),
    ],
)
def test_anchors_and_aliases_are_refused(tmp_path: Path, text: str, line: int, word: str) -> None:
    error = one_error(tmp_path, text)
    assert error.location.line == line
    assert word in error.message and "not allowed" in error.message


def test_syntax_error_is_located(tmp_path: Path) -> None:
    error = one_error(tmp_path, "a: 1\nb:\n  c: 1\n   d: 2\n")
    assert error.location.line == 4
    assert error.message.startswith("YAML syntax error")


def test_two_documents_are_refused(tmp_path: Path) -> None:
    error = one_error(tmp_path, "a: 1\n---\nb: 2\n")
    assert error.location.line == 2
    assert "document" in error.message


def test_complex_key_is_refused(tmp_path: Path) -> None:
    error = one_error(tmp_path, "ok: 1\n? {a: b}\n: v\n")
    assert error.location.line == 2
    assert error.message == "mapping keys must be plain text"


# ----------------------------------------------------------------------------- limits


def test_file_at_the_size_limit_loads(tmp_path: Path) -> None:
    text = "a: " + "x" * (MAX_BYTES - 4) + "\n"
    assert len(text.encode()) == MAX_BYTES
    assert len(load(tmp_path, text).data["a"]) == MAX_BYTES - 4


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    text = "a: " + "x" * (MAX_BYTES - 3) + "\n"
    assert len(text.encode()) == MAX_BYTES + 1
    error = one_error(tmp_path, text)
    assert (error.location.line, error.location.column) == (1, 1)
    assert "limit" in error.message and f"{MAX_BYTES:,}" in error.message


def test_size_limit_counts_bytes_not_characters(tmp_path: Path) -> None:
    text = "a: " + "中" * (MAX_BYTES // 3) + "\n"  # fewer characters than MAX_BYTES, more bytes
    assert len(text) < MAX_BYTES < len(text.encode())
    assert "limit" in one_error(tmp_path, text).message


def test_nesting_within_the_limit_loads(tmp_path: Path) -> None:
    doc = load(tmp_path, "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    value, depth = doc.data, 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == MAX_DEPTH - 1


@pytest.mark.parametrize("extra", [2, 20, 200])
def test_nesting_beyond_the_limit_is_refused(tmp_path: Path, extra: int) -> None:
    n = MAX_DEPTH + extra
    error = one_error(tmp_path, "[" * n + "]" * n)
    assert error.location.line == 1
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message


def test_deep_block_mapping_is_refused_at_its_line(tmp_path: Path) -> None:
    n = MAX_DEPTH + 10
    text = "".join("  " * i + f"k{i}:\n" for i in range(n)) + "  " * n + "leaf\n"
    error = one_error(tmp_path, text)
    assert "nested deeper" in error.message
    assert 1 < error.location.line <= n


def test_very_deep_nesting_is_a_content_error(tmp_path: Path) -> None:
    n = 1000
    error = one_error(tmp_path, "[" * n + "]" * n)
    assert "nested deeper" in error.message


# ----------------------------------------------------------------------------- empty files, encodings


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a comment\n", "\ufeff", "\ufeff# c\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    error = one_error(tmp_path, text)
    assert error.message == "file is empty"
    assert error.location.line == 1


@pytest.mark.parametrize("text", ["~\n", "---\n", "--- null\n"])
def test_explicit_null_document_is_not_an_empty_file(tmp_path: Path, text: str) -> None:
    # A document that is just ``~`` (or an empty ``---``) is a null node: the schema refuses it later.
    assert load(tmp_path, text).data is None


def test_bom_is_stripped(tmp_path: Path) -> None:
    doc = load(tmp_path, "\ufeffa: 1\nb:\n  c: 2\n")
    assert doc.data == {"a": "1", "b": {"c": "2"}}
    assert doc.lines[("a",)] == (1, 1)
    assert doc.lines[("b", "c")] == (3, 3)


def test_bom_does_not_shift_error_columns(tmp_path: Path) -> None:
    error = one_error(tmp_path, "\ufeffa: &x 1\n")
    assert (error.location.line, error.location.column) == (1, 4)


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    error = one_error(tmp_path, b"a: 1\nb: ok\nc: caf" + b"\xe9\n")
    assert error.location.line == 3
    assert "UTF-8" in error.message


def test_utf16_is_refused(tmp_path: Path) -> None:
    error = one_error(tmp_path, "a: 1\n".encode("utf-16"))
    assert "UTF-8" in error.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load_yaml(tmp_path / "absent.yaml")
    assert "file not found" in str(info.value)


def test_directory_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ContentError) as info:
        load_yaml(tmp_path / "dir.yaml")
    assert info.value.diagnostics[0].location.path == tmp_path / "dir.yaml"


def test_content_error_is_a_briefs_error(tmp_path: Path) -> None:
    with pytest.raises(BriefsError) as info:
        load(tmp_path, "a: 1\na: 2\n")
    assert isinstance(info.value, ContentError)
    assert info.value.category == "content"
    assert str(info.value).endswith("duplicate key 'a' (first defined on line 1)")


def test_lone_surrogate_escape_is_refused(tmp_path: Path) -> None:
    error = one_error(tmp_path, 'a: ok\nb: "x\\ud800"\n')
    assert error.location.line == 2


def test_control_character_is_located(tmp_path: Path) -> None:
    error = one_error(tmp_path, "a: 1\nb: 2\nc: x\x07y\n")
    assert error.location.line == 3


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_odd_line_breaks_are_refused_where_they_stand(tmp_path: Path, char: str) -> None:
    with pytest.raises(ContentError) as caught:
        load(tmp_path, f'a: 1\nb: "x{char}y"\nc: 2\n')
    assert caught.value.diagnostics[0].location.line == 2
    assert caught.value.diagnostics[0].location.column == len('b: "x') + 1


class _TooMuchWork(Exception):
    """Raised from inside PyYAML's scanner when the simple-key bookkeeping exceeds its budget."""


def test_nesting_limit_bounds_the_work_on_a_long_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Deterministic stand-in for a timing test: count the scanner's simple-key work and stop early.
    # A normal brief costs a few thousand units; refusing at depth 41 should cost about as little.
    work = {"units": 0}
    original = yaml.scanner.Scanner.stale_possible_simple_keys

    def counting(self: yaml.scanner.Scanner) -> None:
        work["units"] += len(self.possible_simple_keys) + 1
        if work["units"] > 1_000_000:
            raise _TooMuchWork(work["units"])
        original(self)

    monkeypatch.setattr(yaml.scanner.Scanner, "stale_possible_simple_keys", counting)
    path = write(tmp_path, "a: " + "[" * 200_000 + "\n")  # 200 kB: well inside MAX_BYTES
    assert path.stat().st_size < MAX_BYTES
    with pytest.raises(ContentError) as info:
        load_yaml(path)
    assert "nested deeper" in str(info.value)


def test_work_budget_is_generous_for_real_content(monkeypatch: pytest.MonkeyPatch) -> None:
    # The budget above is not tight: loading the largest example brief stays far below it
    # with the pure-Python scanner (used without libyaml, and to word every error).
    monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    work = {"units": 0}
    original = yaml.scanner.Scanner.stale_possible_simple_keys

    def counting(self: yaml.scanner.Scanner) -> None:
        work["units"] += len(self.possible_simple_keys) + 1
        original(self)

    monkeypatch.setattr(yaml.scanner.Scanner, "stale_possible_simple_keys", counting)
    root = Path(__file__).resolve().parent.parent / "content"
    biggest = max(root.glob("*/brief.yaml"), key=lambda p: p.stat().st_size)
    load_yaml(biggest)
    assert 0 < work["units"] < 100_000


def test_libyaml_and_pure_python_agree_on_all_content(monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml parses what PyYAML's reader accepts; both must give the same data and lines.
    assert yamlsource._FAST_LOADER is not None, "PyYAML without libyaml: the fast path is untested"
    root = Path(__file__).resolve().parent.parent / "content"
    files = sorted(root.rglob("*.yaml"))
    fast = [load_yaml(path) for path in files]
    monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    slow = [load_yaml(path) for path in files]
    assert len(files) >= 10
    for a, b in zip(fast, slow, strict=True):
        assert a.data == b.data and a.lines == b.lines, a.path


@pytest.mark.parametrize("text", ["a: &x 1\nb: 2\n", "a: 1\nb: *x\n", "a: [1, &y 2]\nb: [\n"])
def test_anchor_refused_before_a_later_syntax_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ContentError) as info:
        load_yaml(write(tmp_path, text))
    assert "are not allowed" in str(info.value)
