"""The JSON objects of the API, as JSON Schema (OpenAPI 3.1 components), one module per
group of objects."""

from __future__ import annotations

from webapp.api.openapi import (
    schemas_accounts,
    schemas_bookings,
    schemas_catalog,
    schemas_common,
    schemas_integrations,
)

SCHEMAS: dict = {}
for _module in (
    schemas_common,
    schemas_catalog,
    schemas_bookings,
    schemas_accounts,
    schemas_integrations,
):
    _clash = set(SCHEMAS) & set(_module.SCHEMAS)
    assert not _clash, f"schemas described twice: {_clash}"
    SCHEMAS.update(_module.SCHEMAS)
