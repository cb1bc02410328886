"""Imports every domain's tables so that ``Base.metadata`` (migrations, verification) sees them all."""

from pubdata.authorization import models as authorization_models  # noqa: F401
from pubdata.billing import models as billing_models  # noqa: F401
from pubdata.calendar import models as calendar_models  # noqa: F401
from pubdata.catalog import models as catalog_models  # noqa: F401
from pubdata.contracts import models as contract_models  # noqa: F401
from pubdata.identity import models as identity_models  # noqa: F401
from pubdata.jobs import models as job_models  # noqa: F401
from pubdata.ledger import models as ledger_models  # noqa: F401
from pubdata.privacy import models as privacy_models  # noqa: F401
from pubdata.products import models as product_models  # noqa: F401
from pubdata.quality import models as quality_models  # noqa: F401
from pubdata.registration import models as registration_models  # noqa: F401
from pubdata.reports import models as report_models  # noqa: F401
from pubdata.scenarios import models as scenario_models  # noqa: F401
