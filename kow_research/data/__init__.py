"""Stage 1: the data model, schemas, readers/writers and validation."""

from kow_research.data.schema import TABLES, Field, TableSchema, get_schema, schemas
from kow_research.data.study import Study, TableSource

__all__ = ["TABLES", "Field", "TableSchema", "get_schema", "schemas", "Study", "TableSource"]
