"""Sphinx configuration of the kow_research documentation.

Build with ``make docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``): every
warning is an error. ``tests/project/test_docs.py`` builds the site the same way into a
temporary folder, so ``make test`` (and CI) fail on a warning too.

The pages that follow the code are written at build time by the local extension
``_ext/kow_docs.py`` into ``docs/generated/`` (git-ignored): the API reference from each
sub-package's ``__all__``, copies of the notebooks (rendered from their committed outputs,
never executed), the changelog and codebook, the references from ``CITATION.cff`` and the
validation results. ``kow_research_root`` (default: the folder above this one) says where
the repository is; the test passes ``-D kow_research_root=...`` when it builds a copy.

Nothing is loaded from the network, neither at build time nor by the built pages (research
environments are often offline):

* Notebooks: myst-nb with ``nb_execution_mode = "off"``; no kernel is started.
* Math (``.. math::`` in the docstrings, ``$$`` on the methods page): ``sphinx.ext.mathjax``
  would load MathJax from a CDN by default. The PyPI package ``sphinx-mathjax-offline`` ships
  MathJax 3.2.2 (Apache-2.0) and points ``mathjax_path`` at its copy in ``_static/mathjax``,
  so pages render real typeset math offline. We chose it over the two alternatives:
  ``sphinx.ext.imgmath`` needs a LaTeX installation (not available here), and showing the
  TeX source as preformatted text would leave every formula unreadable. If the package ever
  becomes unavailable, drop it from ``extensions`` and add a local copy of MathJax under
  ``_static/`` (``mathjax_path``); never point ``mathjax_path`` at a URL.
* Theme: furo, from PyPI; it bundles its fonts, scripts and icons.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "kow_research"
author = "kow_research developers"
copyright = "kow_research developers; BSD 3-Clause licence"
# version and release are set from kow_research._version by the kow_docs extension, read from
# the repository named by kow_research_root (the tree being documented)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "numpydoc",
    "myst_nb",
    "kow_docs",
]

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "generated/include"]

# --- API reference: autosummary tables over each sub-package's __all__ (written by kow_docs)
autosummary_generate = False        # the entries are on the sub-package pages (no stubs)
autodoc_typehints = "none"          # the numpydoc Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_inherit_docstrings = True
numpydoc_show_class_members = False  # members are documented by autoclass :members:
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# --- notebooks: rendered from their committed outputs, never executed
nb_execution_mode = "off"
nb_merge_streams = True
nb_output_stderr = "show"           # the committed notebooks have none (pre-commit refuses them)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- HTML
html_theme = "furo"
html_title = "kow_research"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None        # no build timestamps in the pages
html_theme_options = {"navigation_with_keys": True}
