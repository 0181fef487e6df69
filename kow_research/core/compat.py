"""Deprecation helpers for the calling convention introduced in 0.2 (frame first, every other
argument keyword-only).

Functions that used to take further arguments by position keep accepting them for one release,
mapped in their old order, with a ``FutureWarning``; ``inspect.signature`` shows the new,
keyword-only signature (the wrapper sets ``__wrapped__``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


def positional_deprecated(*old_order: str, n_positional: int = 1) -> Callable[[F], F]:
    """Accept, with a ``FutureWarning``, positional arguments beyond the first
    ``n_positional`` in their pre-0.2 order ``old_order``.

    Parameters
    ----------
    *old_order : str
        Names of the parameters that used to follow the positional ones, in order.
    n_positional : int, default 1
        How many leading parameters stay positional.

    Returns
    -------
    callable
        A decorator; the decorated function keeps its (keyword-only) signature.

    Examples
    --------
    >>> @positional_deprecated("b")
    ... def f(a, *, b=2):
    ...     return a + b
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(1, 5)
    6
    """
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > n_positional:
                extra = args[n_positional:]
                if len(extra) > len(old_order):
                    raise TypeError(f"{func.__name__}() takes {n_positional} positional "
                                    f"argument(s); pass the others by keyword")
                names = old_order[:len(extra)]
                dup = [n for n in names if n in kwargs]
                if dup:
                    raise TypeError(f"{func.__name__}() got multiple values for {dup}")
                warn_deprecated(
                    f"{func.__name__}(): passing {', '.join(names)} by position is deprecated "
                    f"and will stop working in the next release; write "
                    f"{', '.join(f'{n}=...' for n in names)}")
                kwargs.update(zip(names, extra, strict=True))
                args = args[:n_positional]
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def warn_deprecated(message: str) -> None:
    """Issue a ``FutureWarning`` attributed to the first caller outside kow_research (so that
    users see their own line, whatever the depth of the package's internal calls)."""
    import sys
    from pathlib import Path

    package = str(Path(__file__).resolve().parents[1])
    level = 2                      # stacklevel 2 is the caller of this function
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
            package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, FutureWarning, stacklevel=level)
