"""pubdata-client: the consumer's half of the privacy-computing products, on the consumer's machine. It imports
``pubdata_protocol`` (the wire) and nothing of the server."""

__version__ = "0.1.0"
