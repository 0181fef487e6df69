"""The package version, single-sourced: ``pyproject.toml`` reads it (setuptools ``attr:``)."""

__version__ = "0.2.0.dev0"
