"""The documentation site: it builds with no warning, and what it documents follows the code.

The build is the one ``make docs`` runs (``sphinx-build -W --keep-going -b html``), on a copy of
``docs/`` in a temporary folder with ``kow_research_root`` pointing at this tree, so nothing is
shared with ``docs/_build`` or written into the source tree. The notebooks are rendered from
their committed outputs (no kernel starts); on the 2-core CI machine the build takes about
20-35 s.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import kow_research

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: an attribute of a tag that makes the browser load something (links <a href> are not loads)
LOADS = re.compile(r"<(script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=\"([^\"]*)\""
                   r"|<link\b[^>]*\bhref=\"([^\"]*)\"", re.IGNORECASE)


@dataclass(frozen=True)
class Build:
    out: Path
    returncode: int
    log: str


def _extension():
    spec = importlib.util.spec_from_file_location("kow_docs", DOCS / "_ext" / "kow_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp("docs")
    src = tmp / "src"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated"))
    out = tmp / "html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-D", f"kow_research_root={ROOT}", "-d", str(tmp / "doctrees"), str(src), str(out)],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=600)
    return Build(out=out, returncode=proc.returncode, log=proc.stdout + proc.stderr)


def _page(site: Build, name: str) -> str:
    path = site.out / f"{name}.html"
    assert path.is_file(), f"{name}.html was not built"
    return path.read_text(encoding="utf-8")


def _public_subpackages() -> dict[str, object]:
    return {name: importlib.import_module(f"kow_research.{name}")
            for name in _extension().subpackages(kow_research)}


def test_the_site_builds_without_a_warning(site: Build) -> None:
    assert site.returncode == 0, f"sphinx-build -W failed:\n{site.log[-6000:]}"
    assert "WARNING" not in site.log and "ERROR" not in site.log, site.log[-6000:]


def test_every_public_name_is_in_the_api_reference(site: Build) -> None:
    """Each sub-package that defines ``__all__`` has a page, and every name of every
    ``__all__`` has an entry (an anchor) on the pages — where it is defined, when another
    sub-package re-exports it. A name added to an ``__all__`` appears without editing the
    docs."""
    subs = _public_subpackages()
    assert {"data", "synthetic", "outcomes", "survival", "compare", "report", "core"} <= set(subs)
    anchors: set[str] = set()
    module_anchors: set[str] = set()
    for page in (site.out / "generated" / "api").glob("*.html"):
        anchors |= set(re.findall(r'id="(kow_research[\w.]*)"', page.read_text("utf-8")))
        module_anchors |= set(re.findall(r'id="module-(kow_research[\w.]*)"',
                                         page.read_text("utf-8")))
    documented = {id(getattr(subs[a.split(".")[1]], a.split(".")[2], None))
                  for a in anchors if a.count(".") == 2 and a.split(".")[1] in subs}
    for name, module in subs.items():
        _page(site, f"generated/api/kow_research.{name}")
        for public in module.__all__:
            obj = getattr(module, public)
            if inspect.ismodule(obj):
                assert obj.__name__ in module_anchors | anchors, (
                    f"module {obj.__name__} has no page in the API reference")
            else:
                assert f"kow_research.{name}.{public}" in anchors or id(obj) in documented, (
                    f"kow_research.{name}.{public} is not in the API reference")
    top = _page(site, "generated/api/kow_research")
    for public in kow_research.__all__:
        assert f'<span class="pre">{public}</span>' in top, f"kow_research.{public}"


def test_notebooks_are_rendered_from_their_committed_outputs(site: Build) -> None:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks
    for path in notebooks:
        page = _page(site, f"generated/notebooks/{path.stem}")
        nb = json.loads(path.read_text(encoding="utf-8"))
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        images = sum("image/png" in o.get("data", {}) for o in outputs)
        assert page.count("<img ") >= images, f"{path.name}: figures missing"
        # the first sentence the notebook shows (printed, or displayed as Markdown)
        first = next("".join(o["text"] if o.get("name") == "stdout"
                             else o["data"]["text/markdown"]).strip().splitlines()[0]
                     for o in outputs if o.get("name") == "stdout"
                     or "text/markdown" in o.get("data", {}))
        words = re.sub(r"[*_`#]", "", first).split()[:4]
        assert html.escape(" ".join(words), quote=False) in re.sub(r"<[^>]+>", "", page), (
            path.name, words)


def test_pages_load_nothing_from_the_network(site: Build) -> None:
    """No script, stylesheet, font or image from another host (offline research machines)."""
    pages = sorted(site.out.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        for match in LOADS.finditer(page.read_text(encoding="utf-8")):
            url = match.group(2) or match.group(3)
            assert not re.match(r"^(https?:)?//", url), f"{page.name} loads {url}"
    for css in (site.out / "_static").rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", text), css.name


def test_math_is_rendered_by_the_shipped_mathjax(site: Build) -> None:
    page = _page(site, "methods")
    assert "_static/mathjax/tex-chtml.js" in page
    assert (site.out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert "\\hat S(t)" in page                       # the formulas are there, for MathJax


def test_version_and_references_come_from_the_package_and_citation(site: Build) -> None:
    options = (site.out / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    assert f"VERSION: '{kow_research.__version__}'" in options
    page = html.unescape(_page(site, "references")).replace("\u2019", "'")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for ref in citation["references"]:
        title = " ".join(str(ref["title"]).split())
        assert title[:50] in page, f"reference missing from the docs: {title}"


def test_changelog_and_getting_started_are_in_the_site(site: Build) -> None:
    assert "Unreleased" in _page(site, "changelog")
    start = html.unescape(re.sub(r"<[^>]+>", "", _page(site, "getting-started")))
    for text in ("make report", "make test", "index.html", "results/", "tables/"):
        assert text in start, text


# ------------------------------------------------------------------ pages that follow the code
# (no build needed)

def test_methods_page_covers_every_estimator() -> None:
    """Every public function of survival and compare is on the methods page (formula,
    reference, R function)."""
    text = (DOCS / "methods.md").read_text(encoding="utf-8")
    for stage in ("survival", "compare"):
        module = importlib.import_module(f"kow_research.{stage}")
        for name in module.__all__:
            if inspect.isfunction(getattr(module, name)):
                assert f"kow_research.{stage}.{name}" in text, (
                    f"kow_research.{stage}.{name} is not described in docs/methods.md")


def test_validation_page_names_every_fixture_and_only_existing_tests() -> None:
    text = (DOCS / "validation.md").read_text(encoding="utf-8")
    fixtures = [p for p in (ROOT / "tests").rglob("*") if p.suffix in (".csv", ".R")
                and "reference" in p.relative_to(ROOT / "tests").parts[:-1]]
    assert len(fixtures) > 30
    for path in fixtures:
        generic = re.sub(r"_(trial|ties|three)\.csv$", "_<data>.csv", path.name)
        assert path.name in text or generic in text, f"{path.relative_to(ROOT)} is not on " \
                                                     "docs/validation.md"
    defined = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)\(", path.read_text("utf-8"), re.M))
    named = re.findall(r"`(test_\w+)`", text)
    assert len(named) > 20
    assert not set(named) - defined, f"tests named on docs/validation.md that do not exist: " \
                                     f"{sorted(set(named) - defined)}"
    for file in re.findall(r"`(tests/[\w/]+\.(?:py|R))`", text):
        assert (ROOT / file).is_file(), f"docs/validation.md names {file}, which does not exist"


# ------------------------------------------------------------------ the extension's pieces

def test_validation_results_appear_only_when_present(tmp_path: Path) -> None:
    ext = _extension()
    stage = ext.Stage(tmp_path / "generated")
    ext.write_validation_results(stage, tmp_path / "validation" / "results")
    assert (tmp_path / "generated" / "include" / "validation_results.md").read_text() == ""
    results = tmp_path / "validation" / "results"
    results.mkdir(parents=True)
    (results / "coverage.md").write_text("# Coverage\n")
    (results / "coverage.png").write_bytes(b"\x89PNG")
    stage = ext.Stage(tmp_path / "generated")
    ext.write_validation_results(stage, results)
    section = (tmp_path / "generated" / "include" / "validation_results.md").read_text()
    assert "generated/validation/coverage" in section and "{toctree}" in section
    assert (tmp_path / "generated" / "validation" / "coverage.png").read_bytes() == b"\x89PNG"


def test_guides_are_listed_when_merged(tmp_path: Path) -> None:
    ext = _extension()
    stage = ext.Stage(tmp_path / "generated")
    ext.write_guides(stage, tmp_path / "guides")
    assert (tmp_path / "generated" / "include" / "guides_toc.md").read_text() == ""
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "own-data.md").write_text("# Your own data\n")
    ext.write_guides(stage, tmp_path / "guides")
    assert "guides/own-data" in (tmp_path / "generated" / "include" / "guides_toc.md").read_text()


def test_stage_removes_what_is_no_longer_generated(tmp_path: Path) -> None:
    ext = _extension()
    stale = tmp_path / "generated" / "api" / "kow_research.removed.rst"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    stage = ext.Stage(tmp_path / "generated")
    stage.write("api/index.rst", "new")
    stage.prune()
    assert not stale.exists() and (tmp_path / "generated" / "api" / "index.rst").is_file()


def test_reference_format_by_hand() -> None:
    ref = {"type": "article", "title": "Regression models and life-tables",
           "authors": [{"family-names": "Cox", "given-names": "D. R."}],
           "journal": "JRSS B", "year": 1972, "volume": 34, "issue": "2", "start": 187,
           "end": 220, "doi": "10.1111/j.2517-6161.1972.tb00899.x"}
    assert _extension().format_reference(ref) == (
        "Cox DR (1972). Regression models and life-tables. *JRSS B* 34(2):187–220. "
        "[doi:10.1111/j.2517-6161.1972.tb00899.x]"
        "(https://doi.org/10.1111/j.2517-6161.1972.tb00899.x)")
