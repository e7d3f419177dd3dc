"""The HTML report as a reader gets it: the answer first, every section, readable numbers, a
valid self-contained page that a browser renders."""

import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from plw_stats.analysis import Analysis, analyse
from plw_stats.output import OutputError
from plw_stats.report.html import render_html, write_report

SECTIONS = {
    "answer": "The answer",
    "data": "Data",
    "fits": "Fits and convergence",
    "evidence": "Evidence for a PLW effect",
    "checks": "Model checks",
    "gam": "GAM: optimal PLW by length ratio",
    "surfaces": "Two knobs: prompt and completion loss weights",
    "rsd": "Training-loss stability",
    "weights": "Distance from the pretrained weights",
    "figures": "Figure set",
    "reproduce": "Reproduce",
}
VOID = {"meta", "br", "img", "hr", "input", "link", "wbr", "col", "source"}
#: Raw scientific notation (``7.256e-10``, ``1E+05``).
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][-+]?\d+")
#: The two allowed bounds of the number rule: ``< 1e-4`` and ``p < 1e-6`` (any decade).
ALLOWED_BOUND = re.compile(r"< 1e-\d\b")
CHECKSUM = re.compile(r"\b[0-9a-f]{64}\b")
CHROMIUM = Path("/usr/bin/chromium")


class PageParser(HTMLParser):
    """Checks nesting; collects ids, links and the visible text (outside svg and style)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.links = [], [], [], []
        self.text, self.sections = [], {}
        self._hidden = 0
        self._section = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for key in ("href", "xlink:href", "src"):
            if key in attrs:
                self.links.append(attrs[key])
        if tag == "section":
            self._section = attrs.get("id")
            self.sections[self._section] = []
        if tag in ("svg", "style", "script"):
            self._hidden += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        self.links += [attrs[k] for k in ("href", "xlink:href", "src") if k in attrs]

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag in ("svg", "style", "script"):
            self._hidden -= 1
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._hidden == 0:
            self.text.append(data)
            if self._section:
                self.sections[self._section].append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def visible(parser: PageParser, section: str | None = None) -> str:
    parts = parser.text if section is None else parser.sections[section]
    return re.sub(r"\s+", " ", " ".join(parts))


@pytest.fixture(scope="module")
def parsed(report_page):
    return parse(report_page)


def test_page_is_well_formed_with_unique_ids(parsed):
    assert parsed.errors == []
    assert parsed.stack == []
    duplicated = {i for i in parsed.ids if parsed.ids.count(i) > 1}
    assert duplicated == set()


def test_every_link_points_inside_the_page(parsed, report_page):
    assert parsed.links, "the table of contents has links"
    assert all(link.startswith("#") for link in parsed.links)
    assert {link[1:] for link in parsed.links} <= set(parsed.ids)
    toc = re.search(r'<nav class="toc".*?</nav>', report_page, re.DOTALL).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == list(SECTIONS)
    for banned in ("<script", "<link", "<img", "@import", "url(http", "src="):
        assert banned not in report_page


def test_sections_in_order_each_with_an_explanation(report_page, parsed):
    headings = re.findall(r'<section id="([^"]+)">\n<h2>(\d+)\. ([^<]+)</h2>', report_page)
    assert [(sid, title.replace("&amp;", "&")) for sid, _, title in headings] == list(
        SECTIONS.items()
    )
    for section_id in SECTIONS:
        block = report_page.split(f'<section id="{section_id}">')[1]
        assert block.split("\n")[2].startswith('<p class="explain">')
    assert set(parsed.sections) == set(SECTIONS)


def test_the_answer_comes_first_with_one_sentence_per_dataset(parsed):
    answer = visible(parsed, "answer")
    assert answer.index("AlpacaData — ") < answer.index("The answer in numbers")
    # synthetic fits of 2 x 200 draws (too few: a caution follows), AlpacaData convex and
    # without stored evidence, AlpacaDataShort peaked; the ML test runs on the demo scores
    caution = r" \(caution: the fit did not converge: [^)]*bulk ESS \d+ < 400\)\."
    assert re.search(
        r"AlpacaData — no clear evidence that PLW matters: PSIS-LOO was not computed and the "
        r"likelihood-ratio test finds none \(p = 0\.\d+\); the scores are flat in PLW, so "
        r"there is no critical PLW" + caution,
        answer,
    )
    assert re.search(
        r"AlpacaDataShort — PLW matters: the model with PLW predicts held-out scores better "
        r"\(ELPD difference 48\.2 ± 8\.12, 1 score with Pareto k > 0\.7\) and the "
        r"likelihood-ratio test finds an effect \(p < 1e-6\); the critical PLW is 0\.2\d*, "
        r"94% HDI \[0\.\d+, 0\.\d+\]" + caution,
        answer,
    )
    assert "no saved posterior for AlpacaDataCleaned" in answer  # what the report leaves out


def test_no_raw_scientific_notation_anywhere_in_the_text(parsed):
    text = CHECKSUM.sub("", visible(parsed))  # sha256 digests are not numbers
    assert len(text) > 5000
    raw = [m.group(0) for m in SCIENTIFIC.finditer(ALLOWED_BOUND.sub("", text))]
    assert raw == []
    assert "7.256e-10" not in text  # the stored ML p-value of the evidence fixture


def test_numbers_in_the_answer_have_at_most_three_significant_digits(parsed):
    text = re.sub(r"R-hat \d\.\d+", "", visible(parsed, "answer"))  # R-hat has 3 decimals
    numbers = re.findall(r"(?<![\w.])\d+\.\d+", text)
    assert numbers
    too_long = [n for n in numbers if len(n.replace(".", "").lstrip("0")) > 3]
    assert too_long == []


def test_every_section_shows_its_content(parsed):
    fits = visible(parsed, "fits")
    assert "R-hat (max)" in fits and "bulk ESS (min)" in fits and "divergences" in fits
    assert "Nothing was retried; no backend fallback." in fits
    evidence = visible(parsed, "evidence")
    assert "PSIS-LOO was not computed for AlpacaData" in evidence
    assert "plw-stats fit --no-evidence" in evidence
    assert "Wald p of b2" in evidence
    checks = visible(parsed, "checks")
    assert "KS uniformity p" in checks and "dispersion ratio" in checks
    assert "Model checks of AlpacaDataShort" in checks
    assert "Optimal PLW by completion/prompt ratio" in visible(parsed, "gam")
    assert "Mean training-loss RSD" in visible(parsed, "rsd")
    reproduce = visible(parsed, "reproduce")
    for name in ("python", "plw-stats", "numpy", "pymc", "nutpie", "arviz", "pygam"):
        assert re.search(rf"\b{re.escape(name)} \d", reproduce), name
    assert re.search(r"score table \(as read, canonical CSV\): [0-9a-f]{64}", reproduce)
    # the synthetic sweep recorded no run seed: the command leaves it out and says so
    assert "plw-stats fit --chains 2 --draws 200 --tune 500" in reproduce
    assert "the run seed was not recorded" in reproduce


def test_figures_are_inline_svg_with_their_captions(report_page):
    figures = re.findall(r'<figure id="fig-([^"]+)">(<svg.*?</svg>)<figcaption>', report_page, re.S)
    assert [name for name, _ in figures] == [
        "fitted_curves",
        "checks-AlpacaDataShort",
        "critical_plw",
    ]
    for name, svg in figures:
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg") and root.get("viewBox")
        ids = [el.get("id") for el in root.iter() if el.get("id")]
        assert ids and all(i.startswith(f"fig-{name}-") for i in ids)
    assert "data:image" not in report_page and "<metadata>" not in report_page


def test_tables_fit_the_page_and_print(report_page):
    assert report_page.count('<div class="table-wrap"><table>') == report_page.count("<table>")
    assert "table{border-collapse:collapse;width:100%" in report_page
    assert "@media print{" in report_page and "@page{" in report_page


def test_report_without_gam_says_why(evidence_fit_dir, demo_scores):
    analysis = analyse(demo_scores.drop(columns="ratio"), fit_dir=evidence_fit_dir, checks=False)
    page = parse(render_html(analysis))
    gam = visible(page, "gam")
    assert "No GAM in this report: GAM skipped: the score table has no 'ratio' column" in gam
    assert "Model checks were not computed" in visible(page, "checks")
    assert "Not included: no trainer logs were given" in visible(page, "rsd")
    assert "Not included: no weight-distance table was given" in visible(page, "weights")


def test_report_with_weight_distances_shows_table_and_figure(evidence_fit_dir, demo_scores):
    import pandas as pd

    runs = [
        {"dataset": d, "model": m, "plw": plw, "p": 2.0, "mean_tensor_distance": 0.1 + plw}
        for d in ("AlpacaData", "AlpacaDataShort")
        for m in ("llama1-7b", "llama2-7b")
        for plw in (0.0, 0.01, 0.1, 1.0)
    ]
    analysis = analyse(
        demo_scores, fit_dir=evidence_fit_dir, checks=False, gam=False, weights=pd.DataFrame(runs)
    )
    from plw_stats.plots.gallery import close_all
    from plw_stats.report.figures import draw_figures

    figures = draw_figures(analysis, only={"weight_distance"})
    page = render_html(analysis, figures)
    close_all(list(figures.values()))
    section = visible(parse(page), "weights")
    assert "Mean per-tensor weight distance" in section and "0.11 (n = 2)" in section
    assert '<figure id="fig-weight_distance">' in page


def test_write_report_is_atomic_and_checks_its_folder(report_analysis, tmp_path):
    target = tmp_path / "gone" / "report.html"
    with pytest.raises(OutputError, match="does not exist; create it first"):
        write_report(report_analysis, target)
    assert not target.parent.exists()
    path = write_report(report_analysis, tmp_path / "report.html", only_figures={"critical_plw"})
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium (Debian package chromium) is not installed"
)
def test_chromium_renders_the_page(report_page, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report_page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
    ]
    subprocess.run(
        [str(CHROMIUM), *flags, page.as_uri()], capture_output=True, timeout=120, check=True
    )
    image = mpimg.imread(shot)
    assert image.shape[:2] == (2000, 1280)
    ink = (image[..., :3] < 0.9).any(axis=-1)
    assert ink.mean() > 0.03  # text, tables and a figure, not a blank page
    assert ink[:150].any()  # the title at the top
    dark = (image[..., :3] < 0.3).all(axis=-1)
    assert dark[:600].mean() > 0.005  # the answer's text in the first screen
    assert np.ptp(image[..., :3]) > 0.5


def test_an_analysis_built_by_hand_still_gets_checksums_and_versions(report_analysis):
    bare = Analysis(
        scores=report_analysis.scores,
        source="notebook",
        fits=report_analysis.fits,
        fit_source="plw.fit in a notebook",
    )
    page = parse(render_html(bare))
    reproduce = visible(page, "reproduce")
    assert report_analysis.data_checksum in reproduce
    assert re.search(r"numpy \d", reproduce)
    assert "Model checks were not computed" in visible(page, "checks")
    assert "No maximum-likelihood fit for AlpacaData, AlpacaDataShort" in visible(page, "evidence")
