"""Values the tables keep as JSON text (scopes, terms, manifests), read back as values in API answers."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BeforeValidator


def _parsed(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


# ``scope: Annotated[dict[str, Any], FromJsonText]`` on a model read ``from_attributes`` of a row.
FromJsonText = BeforeValidator(_parsed)
