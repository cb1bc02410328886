"""Registration (登记): first, change and cancellation registration, reviewed by the bureau, with a public notice.

Generic over what is registered (``subject_kind``): resources now, products and services later. The domain
that owns the subject calls this service and applies the outcome to its own rows.
"""

from pubdata.registration import messages as _messages  # noqa: F401 - declares the domain's words
