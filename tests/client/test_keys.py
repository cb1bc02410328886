"""The key store on the consumer's machine: the CKKS secret written 0600 in a 0700 directory, its public
context and key id beside it, never overwritten by accident, refused when others can read it."""

from __future__ import annotations

import os
import stat

import pytest

from pubdata_client import cli
from pubdata_client.keys import KeyStore, sm3
from pubdata_client.problems import ClientProblem
from pubdata_protocol import ckks


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_keys_keep_the_secret_private_and_the_public_context_without_it(tmp_path):
    store = KeyStore(tmp_path / "keys")
    keys = store.new_scoring_keys()
    assert _mode(store.root) == 0o700
    assert _mode(store.scoring_dir / "secret.ckks") == 0o600
    assert keys.key_id == sm3(keys.public) == store.scoring_keys().key_id
    assert not ckks.public_context(keys.public).has_secret_key()  # what the platform gets cannot decrypt
    assert store.scoring_keys().secret == keys.secret
    with pytest.raises(ClientProblem) as refused:
        store.new_scoring_keys()
    assert refused.value.key == "keys.exists"
    assert store.new_scoring_keys(force=True).key_id != keys.key_id


def test_a_secret_others_can_read_is_refused(tmp_path):
    store = KeyStore(tmp_path)
    store.new_scoring_keys()
    os.chmod(store.scoring_dir / "secret.ckks", 0o644)
    with pytest.raises(ClientProblem) as refused:
        store.scoring_keys()
    assert refused.value.key == "keys.permissions"


def test_keys_new_on_the_command_line(tmp_path, capsys):
    assert cli.main(["keys", "new", "--keys", str(tmp_path / "k")]) == 0
    assert '"key_id"' in capsys.readouterr().out
    assert cli.main(["keys", "new", "--keys", str(tmp_path / "k"), "--lang", "en"]) == 1
    assert "--force" in capsys.readouterr().err
    assert cli.main(["keys", "show", "--keys", str(tmp_path / "none")]) == 1


def test_a_kept_setup_replaces_the_older_version(tmp_path):
    store = KeyStore(tmp_path)
    store.keep_setup("P0001", "a" * 64, b"old")
    store.keep_setup("P0001", "b" * 64, b"new")
    assert store.cached_setup("P0001", "a" * 64) is None
    assert store.cached_setup("P0001", "b" * 64) == b"new"
    assert _mode(store.setup_path("P0001", "b" * 64)) == 0o600
    with pytest.raises(ValueError):
        store.setup_path("../x", "b" * 64)
