"""Sealed secrets (SM4-GCM): they open only under their key, for what they were sealed for, unedited."""

from __future__ import annotations

import pytest

from pubdata.common.sealing import SealBroken, Sealer


def test_a_sealed_secret_opens_only_as_it_was_sealed(tmp_path):
    sealer = Sealer.load_or_create(tmp_path / "keys" / "k")
    sealed = sealer.seal(" pass word 口令 ", context="source_connection:甲")
    assert "pass" not in sealed and sealed != sealer.seal(" pass word 口令 ", context="source_connection:甲")
    assert sealer.open(sealed, context="source_connection:甲") == " pass word 口令 "
    assert Sealer.load_or_create(tmp_path / "keys" / "k").open(sealed, context="source_connection:甲")
    edited = sealed[:-6] + ("AAAAAA" if not sealed.endswith("AAAAAA") else "BBBBBB")
    for value, context, key in (
        (sealed, "source_connection:乙", tmp_path / "keys" / "k"),
        (edited, "source_connection:甲", tmp_path / "keys" / "k"),
        (sealed, "source_connection:甲", tmp_path / "other"),
        ("plain text", "source_connection:甲", tmp_path / "keys" / "k"),
        ("sm4gcm:!!", "source_connection:甲", tmp_path / "keys" / "k"),
    ):
        with pytest.raises(SealBroken):
            Sealer.load_or_create(key).open(value, context=context)
    assert oct((tmp_path / "keys" / "k").stat().st_mode & 0o777) == "0o600"
    assert [path.name for path in (tmp_path / "keys").iterdir()] == ["k"]  # no draft left beside it
