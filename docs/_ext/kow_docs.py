"""Sphinx extension that writes the pages of the kow_research site that follow the code.

At ``config-inited`` it fills ``<srcdir>/generated/`` (git-ignored), writing a file only when
its content changed and removing what is no longer produced:

``api/``
    ``index.rst``, one page for the package and one per sub-package that defines ``__all__``
    (``kow_research.data``, ``.synthetic``, ..., ``.core`` and any new one such as
    ``.design``): an autosummary table of the functions and classes of ``__all__``, then
    each of them (``autofunction``, ``autoclass``) and the constants as ``py:data`` entries
    with their ``#:`` comment. A name added to an ``__all__`` therefore appears with no edit
    to the docs.
``notebooks/``
    Copies of ``notebooks/[0-9][0-9]_*.ipynb``, rendered by myst-nb from their committed
    outputs (``nb_execution_mode = "off"``).
``include/``
    Fragments that the hand-written pages include (``conf.py`` excludes them as pages):
    copies of ``CHANGELOG.md`` and ``data_dictionary/CODEBOOK.md``; ``references.md``, the
    ``references`` of ``CITATION.cff`` (so the docs and the citation metadata cannot
    disagree); ``r_versions.md``, the R and package versions recorded beside the survival
    fixtures; ``validation_results.md``, a section with a toctree of the copies in
    ``validation/`` when ``validation/results/*.md`` exist (the coverage study), else empty.
    ``guides_toc.md``, the toctree of ``docs/guides/*`` (empty when there are none).
``validation/``
    Copies of ``validation/results/`` (the pages and the files beside them).

The repository is ``kow_research_root`` (default: the folder above ``docs/``).
"""

from __future__ import annotations

import csv
import importlib
import inspect
import json
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.pycode import ModuleAnalyzer

PACKAGE = "kow_research"
#: sub-packages in the order of the data's journey; others follow alphabetically
ORDER = ("core", "data", "synthetic", "survival", "outcomes", "compare", "report", "design")
GENERATED = "generated"
#: fragments included by the hand-written pages (not pages themselves: conf.py excludes them)
INCLUDE = "include"
#: longest ``repr`` of a constant that is shown as its value
MAX_VALUE_REPR = 80


def setup(app: Sphinx) -> dict[str, Any]:
    """Register ``kow_research_root`` and the staging step."""
    app.add_config_value("kow_research_root", "", "env", str)
    app.connect("config-inited", stage, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


class Stage:
    """Files written under ``generated/``; everything else there is removed by ``prune``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kept: set[Path] = set()

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.folder / relative
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.kept.add(path)
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return path

    def prune(self) -> None:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path.is_file() and path not in self.kept:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def stage(app: Sphinx, config: Config) -> None:
    """Write ``generated/`` from the repository at ``kow_research_root``."""
    root = Path(config.kow_research_root or Path(app.confdir).parent).resolve()
    package = _import_package(root)
    config.version = config.release = package.__version__
    out = Stage(Path(app.srcdir) / GENERATED)
    write_api(out, package)
    write_notebooks(out, root)
    write_guides(out, Path(app.srcdir) / "guides")
    for source, name in ((root / "CHANGELOG.md", "CHANGELOG.md"),
                         (root / "data_dictionary" / "CODEBOOK.md", "CODEBOOK.md"),
                         (root / "data_dictionary" / "MAPPING.md", "MAPPING.md")):
        if not source.is_file():
            raise ExtensionError(f"{source} is missing: the docs include it")
        # links between the two dictionary files point to their pages on the site
        text = source.read_text(encoding="utf-8").replace(
            "[MAPPING.md](MAPPING.md)", "{doc}`MAPPING.md </mapping>`").replace(
            "[CODEBOOK.md](CODEBOOK.md)", "{doc}`CODEBOOK.md </data-dictionary>`")
        out.write(f"{INCLUDE}/{name}", text.encode("utf-8"))
    out.write(f"{INCLUDE}/references.md", references_page(root / "CITATION.cff"))
    out.write(f"{INCLUDE}/r_versions.md", r_versions(root / "tests" / "reference" / "fixtures"
                                          / "versions.csv"))
    write_validation_results(out, root / "validation" / "results")
    out.prune()


def _import_package(root: Path) -> ModuleType:
    """Import ``kow_research`` from ``root`` (not from wherever else it is installed)."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    package = importlib.import_module(PACKAGE)
    found = Path(package.__file__ or "").resolve().parents[1]
    if found != root:
        raise ExtensionError(f"{PACKAGE} was imported from {found}, not from the documented "
                             f"tree {root}: set PYTHONPATH={root} or install it with pip "
                             "install -e")
    return package


# --------------------------------------------------------------------------- API reference

def subpackages(package: ModuleType) -> list[str]:
    """Public sub-packages that define ``__all__``, in the order of the data's journey."""
    names = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg and not info.name.startswith("_"):
            module = importlib.import_module(f"{PACKAGE}.{info.name}")
            if hasattr(module, "__all__"):
                names.append(info.name)
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def kind_of(obj: Any) -> str:
    """``module``, ``function``, ``class`` or ``data``."""
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def _heading(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def _summary(obj: Any) -> str:
    """First paragraph of the docstring, on one line."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def constant_doc(module: ModuleType, name: str, value: Any) -> list[str]:
    """The ``#:`` comment (or attribute docstring) of a module-level constant.

    Looked up in the sub-package and its modules, where the value is the same object.
    """
    modules = [module.__name__]
    if hasattr(module, "__path__"):
        modules += [m.name for m in pkgutil.walk_packages(module.__path__,
                                                          prefix=f"{module.__name__}.")]
    for modname in modules:
        mod = importlib.import_module(modname)
        if getattr(mod, name, None) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 (no source available: no comment)
            continue
        lines = docs.get(("", name))
        if lines:
            return [line for line in lines if line.strip()]
    return []


def _data_entry(module: ModuleType, name: str, value: Any) -> list[str]:
    lines = [f".. py:data:: {name}", f"   :type: {type(value).__name__}"]
    shown = repr(value)
    if len(shown) <= MAX_VALUE_REPR and "\n" not in shown:
        lines.append(f"   :value: {shown}")
    lines.append("")
    doc = constant_doc(module, name, value)
    lines += [f"   {line}" for line in doc] or [f"   Constant ({type(value).__name__})."]
    return lines + [""]


def write_api(out: Stage, package: ModuleType) -> list[str]:
    """Write the API pages; return their paths relative to ``generated/``."""
    subs = subpackages(package)
    modules = {s: importlib.import_module(f"{PACKAGE}.{s}") for s in subs}
    # canonical home of each function/class: the sub-package its __module__ lies in
    home: dict[int, str] = {}
    for s, mod in modules.items():
        for name in mod.__all__:
            obj = getattr(mod, name)
            if kind_of(obj) in ("function", "class"):
                own = (getattr(obj, "__module__", "") or "").startswith(f"{PACKAGE}.{s}")
                if own or id(obj) not in home:
                    home[id(obj)] = f"{PACKAGE}.{s}.{name}"
    pages = ["api/index.rst", f"api/{PACKAGE}.rst"]
    out.write(f"api/{PACKAGE}.rst", _top_page(package, modules, home))
    for mod in modules.values():
        page = f"api/{mod.__name__}.rst"
        out.write(page, _subpackage_page(mod, home))
        pages.append(page)
        # modules a sub-package exports (``survival.kernels``): a page each, with what is
        # not already documented on a sub-package page
        for name in mod.__all__:
            sub = getattr(mod, name)
            if inspect.ismodule(sub):
                page = f"api/{sub.__name__}.rst"
                out.write(page, _module_page(sub, home))
                pages.append(page)
    toc = "\n".join(f"   {Path(p).stem}" for p in pages[1:])
    out.write("api/index.rst", "\n".join([
        _heading("API reference", "="),
        "Every public name, generated at build time from the ``__all__`` of the package and "
        "of each sub-package, with the numpydoc docstrings. The sub-packages follow the data's "
        "journey (``data`` → ``synthetic`` → ``outcomes`` → ``survival`` → ``compare`` → "
        "``report``); ``core`` holds what they share.",
        "", ".. toctree::", "   :maxdepth: 1", "", toc, ""]))
    return pages


def _top_page(package: ModuleType, modules: dict[str, ModuleType], home: dict[int, str]) -> str:
    lines = [_heading(PACKAGE, "="), f".. automodule:: {PACKAGE}", "   :no-members:", "",
             f".. currentmodule:: {PACKAGE}", "", _heading("Names at the top level", "-"),
             "``import kow_research as kr`` gives these names; each is documented where it "
             "lives.", "", ".. list-table::", "   :header-rows: 1", "   :widths: 20 35 45", "",
             "   * - name", "     - documented as", "     - summary"]
    local: list[tuple[str, Any]] = []
    for name in package.__all__:
        obj = getattr(package, name)
        kind = kind_of(obj)
        if kind == "module" and obj.__name__.split(".")[-1] in modules:
            target, summary = f":py:mod:`{obj.__name__}`", _summary(obj)
        elif kind in ("function", "class") and id(obj) in home:
            target, summary = f":py:obj:`{home[id(obj)]}`", _summary(obj)
        else:
            local.append((name, obj))
            target, summary = f":py:data:`{PACKAGE}.{name}`", ""
        lines += [f"   * - ``{name}``", f"     - {target}", f"     - {summary}"]
    lines.append("")
    for name, obj in local:
        lines += _data_entry(package, name, obj)
    return "\n".join(lines)


def _module_page(mod: ModuleType, home: dict[int, str]) -> str:
    """The page of a module that a sub-package exports as a module: its docstring and the
    public functions and classes defined in it that have no entry elsewhere."""
    names = getattr(mod, "__all__", None) or [
        n for n, obj in vars(mod).items() if not n.startswith("_")
        and kind_of(obj) in ("function", "class") and getattr(obj, "__module__", "") ==
        mod.__name__]
    own = [n for n in names if kind_of(getattr(mod, n)) in ("function", "class")
           and id(getattr(mod, n)) not in home]
    lines = [_heading(mod.__name__, "="), f".. automodule:: {mod.__name__}", "   :no-members:",
             "", f".. currentmodule:: {mod.__name__}", ""]
    for name in own:
        directive = "autoclass" if inspect.isclass(getattr(mod, name)) else "autofunction"
        lines += [f".. {directive}:: {name}", ""]
    elsewhere = [n for n in names if id(getattr(mod, n)) in home]
    if elsewhere:
        lines += [_heading("Documented with the sub-package", "-"), ""]
        lines += [f"* ``{n}``: :py:obj:`{home[id(getattr(mod, n))]}`" for n in elsewhere]
        lines.append("")
    return "\n".join(lines)


def _subpackage_page(mod: ModuleType, home: dict[int, str]) -> str:
    """One page per sub-package: an autosummary table of ``__all__``, then every entry.

    The entries are on the page itself rather than on one stub page per name: the site has
    about 25 pages instead of 130, which keeps the build (and ``make test``) fast.
    """
    groups: dict[str, list[str]] = {"function": [], "class": [], "data": [], "elsewhere": []}
    for name in mod.__all__:
        obj = getattr(mod, name)
        kind = kind_of(obj)
        if kind == "module" or (kind in ("function", "class")
                                and home.get(id(obj)) != f"{mod.__name__}.{name}"):
            groups["elsewhere"].append(name)
        else:
            groups[kind].append(name)
    lines = [_heading(mod.__name__, "="), f".. automodule:: {mod.__name__}", "   :no-members:",
             "", f".. currentmodule:: {mod.__name__}", ""]
    listed = groups["function"] + groups["class"]
    if listed:
        lines += [".. autosummary::", "   :nosignatures:", "", *[f"   {n}" for n in listed], ""]
    if groups["function"]:
        lines.append(_heading("Functions", "-"))
        for name in groups["function"]:
            lines += [f".. autofunction:: {name}", ""]
    if groups["class"]:
        lines.append(_heading("Classes", "-"))
        for name in groups["class"]:
            lines += [f".. autoclass:: {name}", "   :members:", "   :show-inheritance:", ""]
    if groups["data"]:
        lines.append(_heading("Constants", "-"))
        for name in groups["data"]:
            lines += _data_entry(mod, name, getattr(mod, name))
    if groups["elsewhere"]:
        lines += [_heading("Also exported here", "-"), ""]
        for name in groups["elsewhere"]:
            obj = getattr(mod, name)
            if inspect.ismodule(obj):
                lines.append(f"* ``{name}``: :py:mod:`{obj.__name__}`")
            else:
                lines.append(f"* ``{name}``: :py:obj:`{home[id(obj)]}`")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- notebooks

def write_notebooks(out: Stage, root: Path) -> None:
    """Copy the numbered notebooks; ``notebooks.md`` lists them with a glob toctree."""
    found = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise ExtensionError(f"no notebooks found in {root / 'notebooks'}")
    for path in found:
        out.write(f"notebooks/{path.name}", titled_notebook(path.read_bytes()))


def titled_notebook(raw: bytes) -> bytes:
    """The notebook with a Markdown title cell, which the toctree needs.

    The design-driven notebooks show their title as a Markdown *output* (the sentence comes
    from the narrative catalogue in the report's language), which is not a section for Sphinx:
    the first ``# heading`` of a Markdown output becomes a title cell at the top and is taken
    out of that output. A notebook that starts with a Markdown heading cell is left as it is.
    """
    nb = json.loads(raw)
    cells = nb.get("cells", [])
    if any(c["cell_type"] == "markdown" and "".join(c["source"]).lstrip().startswith("# ")
           for c in cells):
        return raw
    for cell in cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text is None:
                continue
            lines = "".join(text).splitlines()
            if lines and lines[0].startswith("# "):
                output["data"]["text/markdown"] = "\n".join(lines[1:]).lstrip("\n")
                cells.insert(0, {"cell_type": "markdown", "id": "docs-title", "metadata": {},
                                 "source": lines[0]})
                return json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")
    raise ExtensionError("a notebook has neither a Markdown title cell nor a '# ' heading in "
                         "a Markdown output")


def write_guides(out: Stage, folder: Path) -> None:
    """The toctree of ``docs/guides/*`` (written by hand, merged separately), or nothing.

    A toctree with ``:glob:`` would do, but an empty glob warns (and Sphinx 9 gives that warning
    no type, so it cannot be suppressed): the fragment lists what is there.
    """
    guides = sorted(p for p in folder.glob("*") if p.suffix in (".md", ".rst", ".ipynb"))
    if not guides:
        out.write(f"{INCLUDE}/guides_toc.md", "")
        return
    entries = "\n".join(f"guides/{p.stem}" for p in guides)
    out.write(f"{INCLUDE}/guides_toc.md",
              f"```{{toctree}}\n:maxdepth: 2\n:hidden:\n\n{entries}\n```\n")


# --------------------------------------------------------------------------- references

def _authors(people: list[dict[str, Any]]) -> str:
    names = []
    for p in people:
        if "family-names" in p:
            initials = "".join(part[0] for part in re.split(r"[\s.]+", p.get("given-names", ""))
                               if part)
            names.append(f"{p['family-names']} {initials}".strip())
        else:
            names.append(" ".join(str(p.get("name", "")).split()))
    return ", ".join(names)


def format_reference(ref: dict[str, Any]) -> str:
    """One reference in the style of the docstrings: authors (year). Title. Source."""
    parts = [f"{_authors(ref['authors'])} ({ref.get('year', 'n.d.')}). "
             f"{' '.join(str(ref['title']).split()).rstrip('.')}."]
    if "journal" in ref:
        source = f"*{ref['journal']}*"
        if "volume" in ref:
            source += f" {ref['volume']}"
            if "issue" in ref:
                source += f"({ref['issue']})"
        if "start" in ref:
            source += f":{ref['start']}" + (f"–{ref['end']}" if "end" in ref else "")
        parts.append(source + ".")
    elif "collection-title" in ref:
        parts.append(f"*{ref['collection-title']}*" + (f" {ref['number']}" if "number" in ref
                                                          else "") + ".")
    if "edition" in ref:
        parts.append(f"{ref['edition']} edition.")
    if "publisher" in ref:
        parts.append(f"{ref['publisher']['name']}.")
    if ref.get("type") == "software" and "version" in ref:
        parts.append(f"R package, version {ref['version']}.")
    if "doi" in ref:
        parts.append(f"[doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    text = " ".join(parts)
    if "notes" in ref:
        text += f"  \n  {' '.join(str(ref['notes']).split())}"
    return text


def references_page(citation: Path) -> str:
    """Markdown list of the ``references`` in ``CITATION.cff``."""
    meta = yaml.safe_load(citation.read_text(encoding="utf-8"))
    items = [f"- {format_reference(ref)}" for ref in meta.get("references", [])]
    return "\n".join(items) + "\n"


# --------------------------------------------------------------------------- validation

def r_versions(path: Path) -> str:
    """Markdown table of the versions in ``versions.csv``."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    lines = ["| software | version |", "|---|---|"]
    lines += [f"| {r['package']} | {r['version']} |" for r in rows]
    return "\n".join(lines) + "\n"


def write_validation_results(out: Stage, folder: Path) -> None:
    """Copy ``validation/results`` and write the section that lists its pages, if any."""
    pages = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not pages:
        out.write(f"{INCLUDE}/validation_results.md", "")
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out.write(f"validation/{path.relative_to(folder).as_posix()}", path.read_bytes())
    toc = "\n".join(f"{GENERATED}/validation/{p.stem}" for p in pages)
    out.write(f"{INCLUDE}/validation_results.md", "\n".join([
        "## Simulation studies", "",
        "Written by the validation scripts into `validation/results/` and included here as "
        "they are.", "", "```{toctree}", ":maxdepth: 1", "", toc, "```", ""]))
