"""Citation metadata and versioning conventions.

``CITATION.cff`` is validated against the Citation File Format 1.2.0 JSON Schema vendored in
``tools/schemas/`` (nothing is downloaded); its version is the package's, which is
single-sourced from ``kow_research/_version.py`` and follows semantic versioning.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.version import Version

import kow_research

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tools" / "schemas" / "cff-1.2.0.schema.json"
#: SHA-256 of the schema as published at the citation-file-format tag 1.2.0
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"
#: (first author's family name, year) of every method the package implements (issue 15)
METHODS = [
    ("Kaplan", 1958), ("Greenwood", 1926), ("Aalen", 1978), ("Gray", 1988), ("Fine", 1999),
    ("Cox", 1972), ("Efron", 1977), ("Lin", 1989), ("Grambsch", 1994), ("Royston", 2013),
    ("Andersen", 2013), ("Rosenbaum", 1983), ("Li", 2018), ("Austin", 2009), ("Austin", 2011),
    ("Austin", 2016), ("Signorovitch", 2010), ("Guyot", 2012), ("VanderWeele", 2017),
    ("Newcombe", 1998), ("Clopper", 1934), ("McCullagh", 1980), ("Yang", 2012),
    ("International Council for Harmonisation", 2019), ("Rubin", 1987), ("Barnard", 1999),
    ("van Buuren", 2011), ("White", 2009), ("Bartlett", 2015), ("Bartlett", 2016),
]
PLACEHOLDER = re.compile(r"TODO|TBD|FIXME|XXX|example\.(com|org)|<[^>]*>|\bchangeme\b",
                         re.IGNORECASE)


@pytest.fixture(scope="module")
def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_is_valid_cff_1_2_0(citation: dict) -> None:
    import hashlib

    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256, (
        "tools/schemas/cff-1.2.0.schema.json is not the published schema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(citation)]
    assert not errors, "\n".join(errors)
    # the validator does catch what is wrong: an old format version, a reference without
    # authors, a DOI given as a URL
    broken = {**citation, "cff-version": "1.1.0",
              "references": [{"type": "article", "title": "x"},
                             {**citation["references"][0], "doi": "https://doi.org/10.1/x"}]}
    paths = {tuple(e.absolute_path) for e in validator.iter_errors(broken)}
    assert {("cff-version",), ("references", 0), ("references", 1, "doi")} <= paths, paths


def test_citation_states_the_package_version_licence_and_authors(citation: dict) -> None:
    assert citation["cff-version"] == "1.2.0"
    assert isinstance(citation["version"], str), "quote the version in CITATION.cff"
    assert citation["version"] == kow_research.__version__, (
        "CITATION.cff version differs from kow_research/_version.py")
    assert citation["license"] == "BSD-3-Clause"
    assert citation["authors"] == [{"name": "kow_research developers"}]
    assert citation["type"] == "software"


def test_citation_has_no_placeholders(citation: dict) -> None:
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not PLACEHOLDER.search(body), PLACEHOLDER.search(body)
    if "repository-code" in citation:
        assert re.match(r"^https://[\w.-]+/[\w.-]+/[\w.-]+$", citation["repository-code"])


def test_citation_lists_the_methods_we_implement(citation: dict) -> None:
    refs = citation["references"]
    keys = set()
    for ref in refs:
        first = ref["authors"][0]
        keys.add((first.get("family-names") or " ".join(first["name"].split()), ref.get("year")))
    missing = [m for m in METHODS
               if not any(name.startswith(m[0]) and year == m[1] for name, year in keys)]
    assert not missing, f"CITATION.cff references lack {missing}"
    assert len({r["title"] for r in refs}) == len(refs), "a reference is listed twice"


def test_citation_r_versions_are_those_of_the_fixtures(citation: dict) -> None:
    """The R packages cited as the reference implementations are the versions that made the
    stored fixtures (``versions.csv``); regenerate both together."""
    rows = (ROOT / "tests" / "reference" / "fixtures" / "versions.csv").read_text().splitlines()
    versions = dict(line.replace('"', "").split(",") for line in rows[1:])
    cited = {r["title"].split(":")[0]: r["version"] for r in citation["references"]
             if r["type"] == "software"}
    for package in ("survival", "cmprsk"):
        assert cited[package].replace("-", ".") == versions[package], package


def test_version_is_single_sourced_and_semantic() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "kow_research._version.__version__"}
    text = (ROOT / "kow_research" / "_version.py").read_text(encoding="utf-8")
    assert len(re.findall(r"^__version__\s*=", text, re.M)) == 1
    version = Version(kow_research.__version__)
    assert len(version.release) == 3, "MAJOR.MINOR.PATCH (semantic versioning)"
    assert str(version) == kow_research.__version__, "use the normalised PEP 440 spelling"
    assert version.local is None and version.post is None


def test_a_release_has_its_changelog_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = Version(kow_research.__version__)
    if version.is_devrelease:
        assert "## [Unreleased]" in changelog
    else:
        assert re.search(rf"^## \[{re.escape(str(version))}\] - \d{{4}}-\d{{2}}-\d{{2}}$",
                         changelog, re.M), f"CHANGELOG.md has no section for {version}"
