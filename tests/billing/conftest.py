"""The billing tests start from the products' calling world (a listed verification, a subscribed bank) and, priced,
with the operator's ceiling, a cap and a price (``test_metering.priced``)."""

from tests.billing.test_metering import priced  # noqa: F401 - the fixtures, shared
from tests.products.test_calls import world  # noqa: F401
