"""Execute one notebook in a process of its own: ``python -m kow_research.report.notebook_worker``.

:func:`kow_research.report.execute.run_notebook` starts this module as a subprocess whose
working directory is the notebook's folder, so the kernel starts there too, while the parent
process never changes its own working directory (papermill's ``cwd=`` does ``os.chdir`` in the
calling process, which is not safe with several notebooks or reports at once). The request is
read as JSON from standard input::

    {"input": "/abs/nb.ipynb", "output": "/abs/out/notebooks/nb.ipynb",
     "parameters": {...}, "kernel_name": "python3", "timeout": 600,
     "result": "/abs/tmp/result.json"}

and the outcome is written as JSON to ``result``: ``{"error": null}`` or
``{"error": "ValueError: ..."}`` (a file, because the kernel inherits the worker's standard
streams). Everything the kernel or papermill prints (logging, the kernel's transport warnings)
is captured by the parent, kept with the run and shown only when the notebook fails.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


def execute(request: dict[str, Any]) -> str | None:
    """Run papermill on the request; return ``"ExceptionName: message"`` or ``None``."""
    import papermill as pm

    # papermill warns when it cannot infer a parameter's type from a commented `x = None`
    # line; the parameters are injected all the same
    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        pm.execute_notebook(request["input"], request["output"],
                            parameters=request.get("parameters") or {},
                            kernel_name=request.get("kernel_name", "python3"), language="python",
                            progress_bar=False, execution_timeout=request.get("timeout"),
                            report_mode=False)
    except pm.PapermillExecutionError as exc:
        return f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, unreadable notebook: report, go on
        return f"{type(exc).__name__}: {exc}"
    return None


def main() -> int:
    """Read the request from stdin, execute, write the outcome; exit 0 (the outcome says how
    the notebook went; a non-zero exit means the worker itself broke)."""
    request = json.loads(sys.stdin.read())
    error = execute(request)
    with open(request["result"], "w", encoding="utf-8") as f:
        json.dump({"error": error}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
