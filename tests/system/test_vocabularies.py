"""Every code a page can show has its zh-CN and English names: each vocabulary names exactly the codes its value
type allows, so a new code cannot reach a page as itself."""

from __future__ import annotations

from typing import get_args

from pubdata.catalog import rules as catalog_rules
from pubdata.catalog.loading import SOURCE_FORMATS
from pubdata.catalog.schemas import FieldSpec
from pubdata.jobs import rules as job_rules
from pubdata.jobs.schemas import OutputFormat


def _codes(annotation) -> set[str]:
    """The strings a Literal allows, through an Optional."""
    codes: set[str] = set()
    for argument in get_args(annotation):
        if isinstance(argument, str):
            codes.add(argument)
        else:
            codes |= _codes(argument)
    return codes


def test_every_field_code_has_its_names():
    fields = FieldSpec.model_fields
    assert _codes(fields["type"].annotation) == set(catalog_rules.FIELD_TYPES) == set(catalog_rules.FIELD_TYPE_NAMES)
    formats = _codes(fields["format"].annotation)
    assert formats == set(catalog_rules.FIELD_FORMATS) == set(catalog_rules.FIELD_FORMAT_NAMES)
    assert _codes(fields["sensitivity"].annotation) == set(catalog_rules.SENSITIVITIES)
    assert set(get_args(catalog_rules.Masking)) == set(catalog_rules.MASKINGS) == set(catalog_rules.MASKING_NAMES)


def test_every_processing_mode_and_format_has_its_names():
    assert set().union(*catalog_rules.PROCESSING_BY_GRADE.values()) == set(catalog_rules.PROCESSING_NAMES)
    assert set(SOURCE_FORMATS) == set(catalog_rules.SOURCE_FORMATS)
    assert set(get_args(OutputFormat)) == set(job_rules.OUTPUT_FORMATS)
