"""The wire between the platform and a consumer's client for the privacy-computing products (隐私计算): the
messages both sides send and the constructions both sides must compute alike. Installable with the client
alone: it imports no server code (no SQLAlchemy, no FastAPI, nothing of ``pubdata``)."""

VERSION = 1
