"""Query engines: the data plane behind one interface (``base.Engine``). DuckDB next to the data now; Spark
for data too big for one machine later. Infrastructure like ``common``: any domain may use it, and it imports
no domain."""

from pubdata.engines import messages as _messages  # noqa: F401 - declares the engines' refusals
