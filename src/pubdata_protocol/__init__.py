"""The wire between the platform and a consumer's client for the privacy-computing products (隐私计算): the
messages both sides send and the constructions both sides must compute alike. Installable with the client
alone: it imports no server code (no SQLAlchemy, no FastAPI, nothing of ``pubdata``)."""

# The wire's version, in every offer: a client speaks one version and refuses another server's (version 2: PSI
# items are hashed bound to their set version, so a version-1 client would silently match nothing).
VERSION = 2
