"""Stage 1: the data model, schemas, readers/writers, import with a mapping, and validation."""

from kow_research.data.importer import import_study, write_study_folder
from kow_research.data.io import FORMATS, load_study, read_tables, write_study
from kow_research.data.mapping import Mapping, MappingError, load_mapping
from kow_research.data.readers import ReadError
from kow_research.data.schema import TABLES, Field, TableSchema, get_schema, schemas
from kow_research.data.sniff import draft_mapping
from kow_research.data.study import Study, TableSource
from kow_research.data.study_design import (
    DesignError,
    StudyDesign,
    load_design,
    parse_overrides,
    write_design,
)
from kow_research.data.validate import ValidationError, ValidationReport, check_study, validate

__all__ = [
    "FORMATS", "TABLES", "DesignError", "Field", "Mapping", "MappingError", "ReadError",
    "Study", "StudyDesign", "TableSchema", "TableSource", "ValidationError", "ValidationReport",
    "check_study", "draft_mapping", "get_schema", "import_study", "load_design",
    "load_mapping", "load_study", "parse_overrides", "read_tables", "schemas", "validate",
    "write_design", "write_study", "write_study_folder",
]
