"""Stage 1: the data model, schemas, readers/writers and validation."""

from kow_research.data.io import FORMATS, load_study, read_tables, write_study
from kow_research.data.schema import TABLES, Field, TableSchema, get_schema, schemas
from kow_research.data.study import Study, TableSource
from kow_research.data.validate import ValidationError, ValidationReport, check_study, validate

__all__ = [
    "FORMATS", "TABLES", "Field", "TableSchema", "Study", "TableSource", "ValidationError",
    "ValidationReport", "check_study", "get_schema", "load_study", "read_tables", "schemas",
    "validate", "write_study",
]
