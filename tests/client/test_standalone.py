"""The client runs on the consumer's machine without the server: every module of ``pubdata_client`` imports with
``pubdata`` (and the server's libraries) made unimportable, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pubdata_client

PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys

REFUSED = ("pubdata", "sqlalchemy", "fastapi", "starlette", "duckdb", "alembic", "uvicorn")

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED:
            raise ImportError(f"the client imported {name}")
        return None

sys.meta_path.insert(0, Refuse())
import pubdata_client
names = sorted(m.name for m in pkgutil.walk_packages(pubdata_client.__path__, "pubdata_client."))
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(n for n in sys.modules if n.split(".")[0] in REFUSED)}))
"""


def test_every_client_module_imports_without_the_server():
    client_src = Path(pubdata_client.__file__).parents[1]
    env = {**os.environ, "PYTHONPATH": str(client_src)}  # the client's own tree: the protocol is linked into it
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"pubdata_client.api", "pubdata_client.cli", "pubdata_client.flows", "pubdata_client.files"} <= set(
        result["modules"]
    )
    assert result["loaded"] == []


def test_the_probe_refuses_what_it_must():
    """The finder is not blind: a module that imports the server fails under it."""
    probe = PROBE.replace("import pubdata_client\n", "import pubdata_client\nimport pubdata.common.clock\n", 1)
    env = {**os.environ, "PYTHONPATH": str(Path(pubdata_client.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert done.returncode != 0 and "the client imported pubdata" in done.stderr
