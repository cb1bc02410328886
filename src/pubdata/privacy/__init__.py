"""Privacy computing (隐私计算): differentially private answers and their budgets; data subjects' consents
(``consent``); later PSI, labelled lookup and homomorphic scoring."""

from pubdata.privacy import messages as _messages  # noqa: F401 - declares the domain's words

# What other domains may import, besides ``service``, ``schemas``, ``rules`` and ``messages``.
PUBLIC = ("dp", "consent")
