"""Exhibits as a reader gets them: numbered charts and tables, the thesis chain, and located data errors.

Real output first (the session build: zh-CN, en and the derived zh-HK), then charts and tables from
a synthetic test dataset (labelled synthetic; it never ships), locale formatting per column type
(expectations from Babel or from first principles, never copied from output), and one broken input
per data-error class through the real CLI.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from bs4 import BeautifulSoup
from click.testing import Result
from pypdf import PdfReader

from briefs.exhibits.views import table_view
from briefs.load.project import load_project
from briefs.localize.i18n import translations
from briefs.pipeline.outputs import flat_name
from briefs.pipeline.planning import edition, plan
from briefs.pipeline.run import build
from briefs.project.config import load_config
from briefs.render.fonts import FONTS
from briefs.render.theme import theme_of

from .conftest import LANGS, ROOT, SMALL, Built, copy_project, edit, failed, has, line_of, make_draft

EDITIONS = (*LANGS, "zh-HK")
BABEL = {"zh-CN": "zh_Hans_CN", "en": "en", "zh-HK": "zh_Hant_HK"}
RunCli = Callable[..., Result]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """In this module ``project`` holds the small project's briefs (tests/conftest.py SMALL) and
    the industry report whose data files the tests break, with every shared file."""
    return copy_project(tmp_path / "project", briefs=(*SMALL, "deepseek-cost-performance"))


# ----------------------------------------------------------------------------- helpers


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"[\s\-\u2010]+", "", text)  # as tests/test_pdf.py: hyphens may be line breaks


def patterns(lang: str) -> dict[str, str]:
    """The caption and source-line patterns of a language, from its gettext catalog (not from output)."""
    config = load_config(ROOT)
    tr = translations(theme_of(config), edition(config, lang))
    return {
        "figure": tr.gettext("Figure %(number)s"),
        "table": tr.gettext("Table %(number)s"),
        "source": tr.gettext("Source: %(source)s") % {"source": ""},
        "sep": tr.gettext(": "),
    }


def label_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(pattern).replace(re.escape("%(number)s"), r"(\d+)") + "$")


@pytest.fixture(scope="module")
def examples():  # type: ignore[no-untyped-def]
    """The example project as loaded (the ``project`` fixture is a copy to break)."""
    return load_project(load_config(ROOT))


# ----------------------------------------------------------------------------- the examples, in HTML


def test_catalog_patterns_are_the_house_ones() -> None:
    assert patterns("zh-CN")["source"] == "资料来源："
    assert patterns("en")["source"] == "Source: "
    assert patterns("zh-CN")["figure"].startswith("图") and patterns("zh-CN")["table"].startswith("表")
    assert patterns("zh-HK")["figure"].startswith("圖")  # derived by OpenCC from the zh-CN catalog


def test_every_brief_has_numbered_svg_chart_and_table_with_source(built_html: Built) -> None:
    assert len(built_html.briefs) >= 4
    for brief_id in built_html.briefs:
        for lang in EDITIONS:
            page = soup(built_html.file(brief_id, lang, "html"))
            p = patterns(lang)
            figures = page.select("figure.exhibit")
            charts = [f for f in figures if "exhibit-chart" in f["class"]]
            tables = [f for f in figures if "exhibit-table" in f["class"]]
            assert charts and tables, (brief_id, lang)
            for chart in charts:
                assert chart.select_one(".chart > svg"), (brief_id, lang)
                assert chart.svg.find("text"), "chart text must stay text"
            for table in tables:
                assert table.select_one("table thead th"), (brief_id, lang)
            numbers: dict[str, list[int]] = {"figure": [], "table": []}
            for figure in figures:
                caption = figure.find("figcaption")
                assert caption is not None and figure.contents.index(caption) < 3, "caption above"
                label = caption.select_one(".exhibit-label").get_text()
                kind = "table" if "exhibit-table" in figure["class"] else "figure"
                found = label_regex(p[kind]).match(label)
                assert found, (brief_id, lang, label)
                numbers[kind].append(int(found.group(1)))
                assert caption.get_text().startswith(label + p["sep"])
                source = figure.select(".exhibit-source")
                assert len(source) == 1 and source[0].get_text().startswith(p["source"].strip())
                assert len(source[0].get_text()) > len(p["source"]) + 1
                last = [c for c in figure.children if getattr(c, "name", None)][-1]
                assert last is source[0], "source line is the last line of the exhibit"
            for kind, found_numbers in numbers.items():
                assert found_numbers == list(range(1, len(found_numbers) + 1)), (brief_id, lang, kind)


def test_html_ids_are_unique_and_svg_references_resolve(built_html: Built) -> None:
    for brief_id in built_html.briefs:
        for lang in EDITIONS:
            html = built_html.file(brief_id, lang, "html").read_text("utf-8")
            ids = re.findall(r'\sid="([^"]+)"', html)
            duplicates = {i for i in ids if ids.count(i) > 1}
            assert not duplicates, (brief_id, lang, sorted(duplicates)[:5])
            targets = set(re.findall(r"url\(#([^)]+)\)", html)) | set(re.findall(r'href="#([^"]+)"', html))
            assert targets <= set(ids), (brief_id, lang, sorted(targets - set(ids))[:5])
            for svg in re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL):
                ET.fromstring(svg)  # well-formed XML (WeasyPrint re-parses it)
                assert "<metadata" not in svg and "Matplotlib" not in svg and "<style" not in svg


def test_references_in_text_link_to_numbered_exhibits(built_html: Built) -> None:
    seen = 0
    for brief_id in built_html.briefs:
        for lang in EDITIONS:
            page = soup(built_html.file(brief_id, lang, "html"))
            for link in page.select("a.xref"):
                target = page.find(id=link["href"][1:])
                assert target is not None, (brief_id, lang, link)
                if target.name == "figure":
                    label = target.select_one(".exhibit-label").get_text()
                    assert link.get_text() == label, (brief_id, lang, link.get_text(), label)
                    seen += 1
    assert seen >= 4 * len(EDITIONS)


def test_table_cells_are_formatted_per_locale_and_aligned(built_html: Built, examples) -> None:  # type: ignore[no-untyped-def]
    # The deployment table: mixed types, one per row (from deployment.yaml's 'format' column).
    brief_id = "deepseek-efficiency-not-deflation"
    # Chinese groups digits from five figures on (1814, 12,345: GB/T 15835), English always
    expected = {"zh-CN": ["1814", "2500万", "370亿", "77%", "1.2", "545%", "84.5%"],
                "en": ["1,814", "25 million", "37 billion", "77%", "1.2", "545%", "84.5%"],
                "zh-HK": ["1814", "2500萬", "370億", "77%", "1.2", "545%", "84.5%"]}
    for lang in EDITIONS:
        table = soup(built_html.file(brief_id, lang, "html")).select_one("#tab-deployment-figures table")
        values = [td.get_text() for td in table.select("tbody td.num")]
        assert values == expected[lang], lang
        assert table.select("thead th.num"), "numeric headers align with their cells"


# ----------------------------------------------------------------------------- the examples, in PDF


@pytest.mark.pdf
def test_pdfs_carry_captions_sources_and_chart_text(built: Built, examples) -> None:  # type: ignore[no-untyped-def]
    for loaded in examples.briefs:
        brief = loaded.brief
        for lang in EDITIONS:
            p = patterns(lang)
            text = squash(pdf_text(built.file(brief.id, lang, "pdf")))
            t = edition(load_config(ROOT), lang, examples.library.phrases)  # as the build makes it
            assert squash(p["figure"] % {"number": 1} + p["sep"]) in text, (brief.id, lang)
            assert squash(p["table"] % {"number": 1} + p["sep"]) in text, (brief.id, lang)
            for exhibit in brief.exhibits:
                assert squash(p["source"] + t.text(exhibit.source)) in text, (brief.id, lang, exhibit.id)
                assert squash(t.text(exhibit.title)) in text
                if exhibit.chart is None:
                    continue
                # Legend entries (or the single series' axis label) and categories, drawn in the SVG.
                columns = {c.column: c for c in exhibit.columns}
                x = columns[exhibit.chart.x]
                for row in loaded.exhibits[exhibit.id].rows:
                    value = row[x.column].value
                    shown = t.text(x.labels[value]) if x.labels else value
                    assert squash(shown) in text, (brief.id, lang, shown)
                if len(exhibit.chart.y) > 1:
                    for name in exhibit.chart.y:
                        assert squash(t.text(columns[name].header)) in text
            if lang == "zh-CN":
                assert "资料来源" in text and "图1" in text and "表1" in text
            if lang == "en":
                assert "Source:" in text and "Figure1" in text and "Table1" in text


@pytest.mark.pdf
def test_chart_labels_are_real_text_in_the_pdf(built: Built) -> None:
    # The grouped bars of R1 vs o1: scores printed on the bars, in each language's format.
    for lang in EDITIONS:
        text = squash(pdf_text(built.file("deepseek-cost-performance", lang, "pdf")))
        for score in (79.8, 79.2, 97.3, 96.4):
            shown = format_decimal(score / 100, "#,##0.0%", locale=BABEL[lang])
            assert shown in text, (lang, shown)
        assert "AIME2024" in text and squash("MATH-500") in text and squash("DeepSeek-R1") in text


@pytest.mark.pdf
def test_thesis_chain_is_a_numbered_figure_in_the_pdfs(built: Built, examples) -> None:  # type: ignore[no-untyped-def]
    with_chain = [b for b in examples.briefs if b.brief.chain is not None]
    assert len(with_chain) >= 2
    for loaded in with_chain:
        chain = examples.library.chain(loaded.brief.chain.id)
        current = loaded.brief.chain.stage
        for lang in EDITIONS:
            t = edition(load_config(ROOT), lang, examples.library.phrases)  # as the build makes it
            text = squash(pdf_text(built.file(loaded.brief.id, lang, "pdf")))
            page = soup(built.file(loaded.brief.id, lang, "html"))
            figure = page.select_one("figure#fig-chain")
            assert figure is not None and label_regex(patterns(lang)["figure"]).match(
                figure.select_one(".exhibit-label").get_text())
            for stage in chain.stages:
                assert squash(t.text(stage.label)) in text, (loaded.brief.id, lang, stage.id)
                box = figure.select_one(f"li#stage-{stage.id}")
                assert box.select_one(".stage-label").get_text() == t.text(stage.label)
                assert ("current" in box["class"]) == (stage.id == current)
                shown = [li.get_text().strip() for li in box.select(".stage-segments li")]
                assert shown == [t.text(s.label) for s in stage.segments]
            rows = {g.segment for g in loaded.brief.companies if g.segment}
            links = {a["href"] for a in figure.select(".stage-segments a")}
            assert links == {f"#segment-{s}" for s in rows}
            for href in links:
                assert page.find(id=href[1:]).name == "tr"
        # the other language's stage names are not in this edition
        other = squash(pdf_text(built.file(loaded.brief.id, "en", "pdf")))
        assert squash(chain.stages[0].label["zh-CN"]) not in other


@pytest.mark.pdf
def test_links_work_in_the_pdf(built: Built) -> None:
    reader = PdfReader(built.file("wechat-r1-inference", "en", "pdf"))
    destinations = set(reader.named_destinations)
    links = [a.get_object().get("/Dest") for page in reader.pages for a in page.get("/Annots") or []
             if a.get_object().get("/Subtype") == "/Link"]
    internal = {str(d) for d in links if d is not None}
    assert {"fig-compute-share", "tab-demand-forecasts", "fig-chain", "tab-companies"} <= internal
    assert {f"segment-{s}" for s in ("aidc", "optical", "power")} <= internal
    assert internal <= destinations


@pytest.mark.pdf
def test_data_files_are_inputs_embedded_in_the_pdf(built: Built, examples) -> None:  # type: ignore[no-untyped-def]
    for loaded in examples.briefs:
        data = {d.file for d in loaded.exhibits.values()}
        assert data and data <= set(loaded.files)
        attached = PdfReader(built.file(loaded.brief.id, "en", "pdf")).attachments
        for path in data:
            assert attached[flat_name(path.relative_to(loaded.folder).as_posix())] == [path.read_bytes()]


def test_same_source_date_epoch_gives_identical_html(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740000000")
    config = load_config(copy_project(tmp_path / "project", briefs=SMALL))
    first = build(config, langs=EDITIONS, formats=("html",), out=tmp_path / "a")
    build(config, langs=EDITIONS, formats=("html",), out=tmp_path / "b")
    written = sorted(p for p in first.written if p.suffix == ".html")
    assert len(written) == len(SMALL) * len(EDITIONS)
    for path in written:
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path.name
        assert "<svg" in path.read_text("utf-8")


# ----------------------------------------------------------------------------- synthetic dataset (tests only)

SYNTHETIC_CSV = """\
period,alpha,beta,users,price,share,ratio,day,kind,fmt,mixed
P1,10,12,1300000000,1234.5,84.5,1.2,2025-02-16,synthetic,integer,1814
P2,14,11,25000000,99,5,0.25,2025-03-03,synthetic,compact,37000000000
P3,9,15,2500,0.5,95,12,2024-12-31,synthetic,percent:1,77
"""

SYNTHETIC_SPEC = """\
exhibits:
  - id: synthetic-line
    kind: chart
    after: breakthrough
    title: {zh-CN: 合成数据折线图（仅测试）, en: Synthetic line chart (test only)}
    source: {zh-CN: 合成数据, en: Synthetic data}
    data: synthetic.csv
    columns:
      - {column: period, header: {zh-CN: 期间, en: Period}}
      - {column: alpha, header: {zh-CN: 甲, en: Alpha}, type: integer}
      - {column: beta, header: {zh-CN: 乙, en: Beta}, type: integer}
    chart: {type: line, x: period, y: [alpha, beta], y_label: {zh-CN: 单位, en: Units}}
  - id: synthetic-bar
    kind: chart
    after: breakthrough
    title: {zh-CN: 合成数据柱状图（仅测试）, en: Synthetic bar chart (test only)}
    source: {zh-CN: 合成数据, en: Synthetic data}
    data: synthetic.csv
    columns:
      - {column: period, header: {zh-CN: 期间, en: Period}}
      - {column: users, header: {zh-CN: 用户, en: Users}, type: compact}
    chart: {type: bar, x: period, y: [users]}
  - id: synthetic-grouped
    kind: chart
    after: breakthrough
    title: {zh-CN: 合成数据分组柱状图（仅测试）, en: Synthetic grouped bars (test only)}
    source: {zh-CN: 合成数据, en: Synthetic data}
    data: synthetic.csv
    columns:
      - {column: period, header: {zh-CN: 期间, en: Period}}
      - {column: alpha, header: {zh-CN: 甲, en: Alpha}, type: integer}
      - {column: beta, header: {zh-CN: 乙, en: Beta}, type: integer}
    chart: {type: grouped-bar, x: period, y: [alpha, beta]}
  - id: synthetic-types
    kind: table
    after: breakthrough
    title: {zh-CN: 合成数据各类型列（仅测试）, en: Synthetic columns of every type (test only)}
    source: {zh-CN: 合成数据, en: Synthetic data}
    data: synthetic.csv
    columns:
      - {column: kind, header: {zh-CN: 类别, en: Kind}}
      - {column: alpha, header: {zh-CN: 整数, en: Integer}, type: integer}
      - {column: ratio, header: {zh-CN: 数值, en: Number}, type: number, digits: 2}
      - {column: share, header: {zh-CN: 百分比, en: Percent}, type: percent, digits: 1}
      - {column: price, header: {zh-CN: 价格, en: Price}, type: currency, currency: HKD}
      - {column: users, header: {zh-CN: 用户, en: Users}, type: compact}
      - {column: day, header: {zh-CN: 日期, en: Date}, type: date, date_style: long}
      - {column: mixed, header: {zh-CN: 混合, en: Mixed}, type: mixed, type_column: fmt}
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The example project plus synthetic exhibits on one brief (a test dataset, labelled synthetic)."""
    root = copy_project(tmp_path_factory.mktemp("synthetic"))
    folder = root / "content" / "deepseek-cost-performance"
    (folder / "synthetic.csv").write_text(SYNTHETIC_CSV, "utf-8")
    text = (folder / "brief.yaml").read_text("utf-8")
    head, _, exhibits = text.partition("exhibits:\n")
    (folder / "brief.yaml").write_text(head + SYNTHETIC_SPEC + exhibits, "utf-8")
    config = load_config(root)
    project = load_project(config, [folder])
    documents = {d.lang: d for d in plan(project, EDITIONS)}
    return project.briefs[0], documents


def chart_svg(html: str, anchor: str) -> str:
    figure = BeautifulSoup(html, "html.parser").find(id=anchor)
    assert figure is not None and figure.svg is not None
    return str(figure.svg)


NAVY, GOLD = "#12355b", "#b8862b"


def drawn(svg: str, color: str, attribute: str = "fill") -> int:
    """Plotted shapes of a series (clipped to the plot area; legend handles are not clipped)."""
    return len(re.findall(rf'<path[^>]*clip-path="url\(#[^)]+\)"[^>]*{attribute}="{color}"', svg))


def test_synthetic_line_bar_and_grouped_bar_charts(synthetic) -> None:  # type: ignore[no-untyped-def]
    loaded, documents = synthetic
    rows = loaded.exhibits["synthetic-line"].rows
    for lang, doc in documents.items():
        html = doc.html
        line = chart_svg(html, "fig-synthetic-line")
        assert drawn(line, NAVY, "stroke") == 1 and drawn(line, GOLD, "stroke") == 1
        assert len(re.findall(r"<use ", line)) >= 2 * len(rows)      # one marker per point
        bar = chart_svg(html, "fig-synthetic-bar")
        assert drawn(bar, NAVY) == len(rows) and drawn(bar, GOLD) == 0
        grouped = chart_svg(html, "fig-synthetic-grouped")
        assert drawn(grouped, NAVY) == len(rows) and drawn(grouped, GOLD) == len(rows)
        texts = [t.get_text() for t in BeautifulSoup(grouped, "html.parser").find_all("text")]
        legend = {"zh-CN": ("甲", "乙"), "en": ("Alpha", "Beta"), "zh-HK": ("甲", "乙")}[lang]
        assert set(legend) <= set(texts) and {"P1", "P2", "P3"} <= set(texts)
        assert {str(r["alpha"].value) for r in rows} <= set(texts)  # value labels on the bars
        compact = [t.get_text() for t in BeautifulSoup(bar, "html.parser").find_all("text")]
        assert {"zh-CN": "13亿", "en": "1.3B", "zh-HK": "13億"}[lang] in compact  # short form in charts
        font = FONTS[lang].sans
        for svg in (line, bar, grouped):
            assert f'font-family="{font}"' in svg


def test_synthetic_charts_are_deterministic(synthetic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loaded, documents = synthetic
    project = load_project(load_config(loaded.path.parents[2]), [loaded.folder])
    again = {d.lang: d.html for d in plan(project, EDITIONS)}
    assert all(again[lang] == doc.html for lang, doc in documents.items())


def test_each_column_type_is_formatted_per_locale(synthetic) -> None:  # type: ignore[no-untyped-def]
    loaded, _ = synthetic
    data = loaded.exhibits["synthetic-types"]
    config = load_config(loaded.path.parents[2])
    first = {  # first principles: the row P1 of the synthetic data in each language
        "zh-CN": {"Integer": "10", "Number": "1.20", "Percent": "84.5%", "Users": "13亿", "Mixed": "1814"},
        "en": {"Integer": "10", "Number": "1.20", "Percent": "84.5%", "Users": "1.3 billion", "Mixed": "1,814"},
        "zh-HK": {"Integer": "10", "Number": "1.20", "Percent": "84.5%", "Users": "13億", "Mixed": "1814"},
    }
    for lang in EDITIONS:
        view = table_view(data, edition(config, lang))
        headers = [h.text for h in view.headers]
        english = [c.header["en"] for c in data.exhibit.columns]
        rows = [{english[i]: cell.text for i, cell in enumerate(row)} for row in view.rows]
        for key, value in first[lang].items():
            assert rows[0][key] == value, (lang, key)
        locale = BABEL[lang]
        dates = {"en": "en_GB"}.get(lang, locale)  # English editions write British dates (16 February 2025)
        assert rows[0]["Price"] == format_currency(1234.5, "HKD", locale=locale)
        assert rows[0]["Date"] == format_date(dt.date(2025, 2, 16), "long", locale=dates)
        assert rows[2]["Date"] == format_date(dt.date(2024, 12, 31), "long", locale=dates)
        assert rows[1]["Mixed"] == {"zh-CN": "370亿", "en": "37 billion", "zh-HK": "370億"}[lang]
        assert rows[2]["Mixed"] == "77.0%"
        assert rows[0]["Kind"] == "synthetic"
        numeric = [h.numeric for h in view.headers]
        assert numeric == [False, True, True, True, True, True, False, True]
        assert headers[0] == edition(config, lang).text(data.exhibit.columns[0].header)


def test_hostile_text_in_data_is_escaped(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    folder = root / "content" / "deepseek-cost-performance"
    edit(folder / "benchmarks.csv", "AIME 2024", '"<script>alert(1)</script>&"')
    project_ = load_project(load_config(root), [folder])
    html = plan(project_, ("en",))[0].html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html


# ----------------------------------------------------------------------------- broken data → located errors

COST = Path("content/deepseek-cost-performance")
DEFLATION = Path("content/deepseek-efficiency-not-deflation")




def test_missing_data_file_is_reported_at_its_yaml_line(project: Path, run_cli: RunCli) -> None:
    brief = project / COST / "brief.yaml"
    line = edit(brief, "data: benchmarks.csv", "data: no-such-file.csv")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "brief.yaml", line, "no-such-file.csv", "not found"), found


def test_data_file_outside_the_brief_is_refused(project: Path, run_cli: RunCli) -> None:
    brief = project / COST / "brief.yaml"
    line = edit(brief, "data: benchmarks.csv", "data: ../wechat-r1-inference/compute-share.csv")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "brief.yaml", line, "outside the brief's folder"), found


def test_unknown_column_is_reported_at_the_column_spec(project: Path, run_cli: RunCli) -> None:
    brief = project / COST / "brief.yaml"
    line = edit(brief, "      - column: o1\n", "      - column: o_1\n")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "brief.yaml", line, "unknown column 'o_1'", "benchmarks.csv"), found


def test_non_numeric_cell_is_reported_at_its_csv_line(project: Path, run_cli: RunCli) -> None:
    data = project / COST / "benchmarks.csv"
    line = edit(data, "97.3", "97.3x")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", line, "'97.3x'", "not a number", "'r1'"), found


@pytest.mark.parametrize("huge", ["1e30", "-1e300", "1000000000000000000"])
def test_a_number_too_large_to_print_is_reported_at_its_csv_line(project: Path, run_cli: RunCli,
                                                                 huge: str) -> None:
    """Babel cannot format such a number (a traceback before); no figure in a brief is that big."""
    data = project / COST / "benchmarks.csv"
    line = edit(data, "97.3", huge)
    result = run_cli(project, "build", str(COST), "--format", "html", "--out", "out")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", line, f"'{huge}'", "too large to print"), found


def test_full_width_digits_and_the_minus_sign_read_as_numbers(project: Path, run_cli: RunCli) -> None:
    """Figures pasted from Chinese sources (９７.３, ７９.８％) or typeset tables (−3) mean what
    they say: the brief comes out exactly as from ASCII figures."""
    make_draft(project / COST)  # a draft throughout: an edited approved brief would turn draft between builds
    data = project / COST / "benchmarks.csv"
    ascii_text = data.read_text("utf-8")
    args = ("build", str(COST), "--format", "html", "--lang", "en")
    assert run_cli(project, *args, "--out", "a").exit_code == 0
    wide = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
    data.write_text(ascii_text.replace("97.3", "97.3".translate(wide)).replace("79.8", "79.8%".translate(wide)),
                    "utf-8")
    assert run_cli(project, *args, "--out", "b").exit_code == 0
    page = Path(COST.name) / f"{COST.name}.en.html"
    assert (project / "b" / page).read_bytes() == (project / "a" / page).read_bytes()
    data.write_text(ascii_text.replace("97.3", "\u221297.3"), "utf-8")
    assert run_cli(project, *args, "--out", "c").exit_code == 0
    data.write_text(ascii_text.replace("97.3", "-97.3"), "utf-8")
    assert run_cli(project, *args, "--out", "d").exit_code == 0
    assert (project / "c" / page).read_bytes() == (project / "d" / page).read_bytes()
    assert (project / "c" / page).read_bytes() != (project / "a" / page).read_bytes()


def test_an_unclosed_quote_in_a_csv_is_reported_where_it_opens(project: Path, run_cli: RunCli) -> None:
    data = project / COST / "benchmarks.csv"
    line = edit(data, "MATH-500,", '"MATH-500,')
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", line, "unreadable CSV", "never closed"), found


@pytest.mark.parametrize("separator, named", [(";", "';'"), ("\t", "tabs")])
def test_a_csv_separated_otherwise_says_so(project: Path, run_cli: RunCli, separator: str, named: str) -> None:
    """A spreadsheet saved with ';' or tabs: one clear line, not 'unknown column' for each column."""
    data = project / COST / "benchmarks.csv"
    data.write_text(data.read_text("utf-8").replace(",", separator), "utf-8")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", 1, f"separated by {named}", "comma-separated"), found
    assert not any("unknown column" in msg for _, _, msg in found), found


def test_non_numeric_cell_in_a_yaml_data_file_is_reported_at_its_line(project: Path, run_cli: RunCli) -> None:
    data = project / DEFLATION / "deployment.yaml"
    line = edit(data, "value: 77,", "value: seventy-seven,")
    found = failed(run_cli(project, "check"))
    assert has(found, DEFLATION / "deployment.yaml", line, "'seventy-seven'", "not a number"), found


def test_unknown_row_format_is_reported_at_its_cell(project: Path, run_cli: RunCli) -> None:
    data = project / DEFLATION / "deployment.yaml"
    line = edit(data, 'format: "number:1"', 'format: "number:one"')
    found = failed(run_cli(project, "check"))
    assert has(found, DEFLATION / "deployment.yaml", line, "'number:one'", "not a cell format"), found


def test_empty_data_is_reported_at_the_data_file(project: Path, run_cli: RunCli) -> None:
    data = project / COST / "benchmarks.csv"
    data.write_text("benchmark,r1,o1\n", "utf-8")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", 1, "no data rows"), found
    data.write_text("", "utf-8")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", 1, "empty"), found


def test_wrong_date_is_reported_at_its_row(project: Path, run_cli: RunCli) -> None:
    folder = project / COST
    (folder / "dates.csv").write_text("event,day\nfirst,2025-02-16\nsecond,2025-02-30\n", "utf-8")
    edit(folder / "brief.yaml", "exhibits:\n", """exhibits:
  - id: release-dates
    kind: table
    after: breakthrough
    title: {zh-CN: 日期, en: Dates}
    source: {zh-CN: 测试, en: Test}
    data: dates.csv
    columns:
      - {column: event, header: {zh-CN: 事件, en: Event}}
      - {column: day, header: {zh-CN: 日期, en: Date}, type: date}
""")
    found = failed(run_cli(project, "check"))
    line = line_of(folder / "dates.csv", "2025-02-30")
    assert has(found, COST / "dates.csv", line, "'2025-02-30'", "YYYY-MM-DD"), found


def test_chinese_text_cell_without_labels_is_refused(project: Path, run_cli: RunCli) -> None:
    data = project / COST / "benchmarks.csv"
    line = edit(data, "MATH-500", "数学500")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "benchmarks.csv", line, "'数学500'", "labels"), found


def test_missing_label_is_reported_at_the_cell(project: Path, run_cli: RunCli) -> None:
    data = project / "content/wechat-r1-inference/compute-share.csv"
    line = edit(data, "training,5", "pretraining,5")
    found = failed(run_cli(project, "check"))
    assert has(found, Path("content/wechat-r1-inference/compute-share.csv"), line,
               "no label for 'pretraining'"), found


def test_unknown_reference_and_section_are_located(project: Path, run_cli: RunCli) -> None:
    md = project / DEFLATION / "margin.en.md"
    line = edit(md, "see [](#margin-decomposition)", "see [](#margin-decompositon)")
    brief = project / COST / "brief.yaml"
    after = edit(brief, "after: breakthrough", "after: breakthru")
    found = failed(run_cli(project, "check"))
    assert has(found, DEFLATION / "margin.en.md", line, "'#margin-decompositon'",
               "did you mean 'margin-decomposition'"), found
    assert has(found, COST / "brief.yaml", after, "unknown section 'breakthru'"), found


def test_chart_series_must_be_declared_numeric_columns(project: Path, run_cli: RunCli) -> None:
    brief = project / COST / "brief.yaml"
    line = edit(brief, "y: [r1, o1]", "y: [r1, benchmark]")
    found = failed(run_cli(project, "check"))
    assert has(found, COST / "brief.yaml", line, "'benchmark'", "numeric"), found


def test_build_also_stops_on_bad_data(project: Path, run_cli: RunCli) -> None:
    data = project / COST / "benchmarks.csv"
    line = edit(data, "79.2", "n/a!")
    found = failed(run_cli(project, "build", "--format", "html", "--out", str(project / "out")))
    assert has(found, COST / "benchmarks.csv", line, "not a number"), found
    assert not list((project / "out").glob("*/*.html"))


def test_charts_ignore_the_machines_matplotlibrc(tmp_path: Path) -> None:
    # A matplotlibrc on the build machine (here through MPLCONFIGDIR) must not change the house
    # charts: the same inputs give the same HTML everywhere.
    import os
    import sys

    config_dir = tmp_path / "mpl"
    config_dir.mkdir()
    (config_dir / "matplotlibrc").write_text(
        "lines.linewidth: 6\nxtick.labelsize: 20\nfont.weight: bold\naxes.facecolor: yellow\n", "utf-8")
    pages = {}
    for name, extra in (("plain", {}), ("styled", {"MPLCONFIGDIR": str(config_dir)})):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "briefs", "--project", str(ROOT), "build",
                        str(ROOT / "content" / "wechat-r1-inference"), "--format", "html", "--out", str(out)],
                       check=True, capture_output=True, env={**os.environ, "CI": "1", **extra})
        pages[name] = sorted(out.glob("*/*.html"))  # the brief's, not the portal's
    assert len(pages["plain"]) == 2 and "<svg" in pages["plain"][0].read_text("utf-8")
    for plain, styled in zip(pages["plain"], pages["styled"], strict=True):
        assert plain.read_bytes() == styled.read_bytes(), plain.name
