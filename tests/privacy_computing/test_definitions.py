"""A joint scoring's weights are checked when it is defined: CKKS can carry a weight on the consumer's features
only if it is 0 or between 2^-20 and 2^20 in magnitude, and a score with every private weight 0 would make a
transparent ciphertext. Refused at definition, so no run can fail on them (pure: no database)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from pubdata.products import definitions as d
from tests.privacy_computing.world import SCORING


def _with_private(**changes):
    document = copy.deepcopy(SCORING)
    for term in document["private"]:
        term.update(changes)
    return document


def test_the_reference_scoring_is_a_valid_definition():
    assert isinstance(d.parse(copy.deepcopy(SCORING)), d.JointScoring)


@pytest.mark.parametrize(
    "changes",
    [{"weight": 0.0}, {"weight": 1e-7, "scale": 1.0}, {"weight": 1.0, "scale": 1e9}, {"weight": 1e6, "scale": 0.5}],
    ids=["every weight zero", "weight encodes to zero", "scale makes it vanish", "weight too large"],
)
def test_weights_ckks_cannot_carry_are_refused(changes):
    with pytest.raises(ValidationError, match="what CKKS can carry"):
        d.parse(_with_private(**changes))
