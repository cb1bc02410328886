"""Imports every domain's tables so that ``Base.metadata`` (migrations, verification) sees them all."""

from pubdata.identity import models as identity_models  # noqa: F401
from pubdata.ledger import models as ledger_models  # noqa: F401
