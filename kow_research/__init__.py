"""kow_research: evaluation research on return-to-work programmes (KOW, IPS, Grip Op Werk)."""

from kow_research.data import Study, get_schema, schemas

__version__ = "0.1.0"

__all__ = ["Study", "get_schema", "schemas", "__version__"]
