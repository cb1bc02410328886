"""Prices under government guidance (三(六)): ceilings, fee caps, prices, the meter, statements."""

from pubdata.billing import messages  # noqa: F401 - declares the words
