"""The consumer's key store: a directory on its own machine (``~/.pubdata-client`` unless ``--keys DIR``).

- ``scoring/secret.ckks``: the CKKS context with its secret key, written 0600 and never sent anywhere;
- ``scoring/public.ckks``: the same context without the secret key, the one the platform registers;
- ``scoring/key.json``: its ``key_id`` (SM3 of the public context, as the platform names it);
- ``setups/<product>/<set_version>.bin``: a PSI setup or an encrypted label table, fetched once per set version.

The directory is made 0700. A secret file readable by others is refused rather than used.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes

from pubdata_client.problems import ClientProblem

DEFAULT_DIR = Path("~/.pubdata-client")
SCORING = "scoring"


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@dataclass(frozen=True)
class ScoringKeys:
    secret: bytes
    public: bytes
    key_id: str


class KeyStore:
    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root if root is not None else DEFAULT_DIR).expanduser()

    def _ensure(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, 0o700)
        return folder

    # --- the scoring key ---------------------------------------------------------------------------------------

    @property
    def scoring_dir(self) -> Path:
        return self.root / SCORING

    def has_scoring_keys(self) -> bool:
        return (self.scoring_dir / "secret.ckks").is_file()

    def new_scoring_keys(self, *, force: bool = False) -> ScoringKeys:
        """A fresh CKKS key pair under the protocol's parameters; refuses to overwrite one without ``force``."""
        from pubdata_client import scoring  # TenSEAL is loaded only by what needs it

        if self.has_scoring_keys() and not force:
            raise ClientProblem("keys.exists", path=str(self.root))
        secret, public = scoring.new_keys()
        folder = self._ensure(self.scoring_dir)
        _write(folder / "secret.ckks", secret, mode=0o600)
        _write(folder / "public.ckks", public, mode=0o644)
        key_id = sm3(public)
        _write(folder / "key.json", json.dumps({"key_id": key_id}).encode(), mode=0o644)
        return ScoringKeys(secret, public, key_id)

    def scoring_keys(self) -> ScoringKeys:
        folder = self.scoring_dir
        secret_path = folder / "secret.ckks"
        if not secret_path.is_file() or not (folder / "public.ckks").is_file():
            raise ClientProblem("keys.missing", path=str(self.root))
        mode = stat.S_IMODE(secret_path.stat().st_mode)
        if mode & 0o077:
            raise ClientProblem("keys.permissions", path=str(secret_path), mode=oct(mode))
        public = (folder / "public.ckks").read_bytes()
        return ScoringKeys(secret_path.read_bytes(), public, sm3(public))

    # --- cached set versions -----------------------------------------------------------------------------------

    def setup_path(self, product: str, set_version: str) -> Path:
        # Both are checked shapes (a product code, 64 hex digits) before they name a file.
        return self.root / "setups" / _safe(product) / f"{_safe(set_version)}.bin"

    def cached_setup(self, product: str, set_version: str) -> bytes | None:
        path = self.setup_path(product, set_version)
        return path.read_bytes() if path.is_file() else None

    def keep_setup(self, product: str, set_version: str, data: bytes) -> None:
        path = self.setup_path(product, set_version)
        self._ensure(path.parent)
        for old in path.parent.glob("*.bin"):  # an older version's setup is of no further use
            if old != path:
                old.unlink(missing_ok=True)
        _write(path, data, mode=0o600)


def _safe(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError("not a file name")
    return name


def _write(path: Path, data: bytes, *, mode: int) -> None:
    """Written whole under a temporary name, then renamed: a reader never sees half a key."""
    temporary = path.with_name(path.name + ".part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)
