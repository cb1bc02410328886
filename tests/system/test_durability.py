"""A crash loses nothing acknowledged and leaves nothing half-written; first run makes the bureau admin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from sqlalchemy import select

from pubdata.common.actor import CLI
from pubdata.identity import service as identity
from pubdata.identity.models import Organisation
from pubdata.ledger import service as ledger
from pubdata.ledger.verify import verify
from pubdata.platform import open_platform
from tests.scenarios import AS_CLI

CRASHING_WRITER = textwrap.dedent(
    """
    import os, signal
    from pubdata.common.actor import CLI
    from pubdata.config import Settings
    from pubdata.identity import service
    from pubdata.identity.access import PlatformItself
    from pubdata.platform import open_platform

    platform = open_platform(Settings())
    with platform.command() as session:
        service.create_organisation(session, principal=PlatformItself(CLI), kind="provider", name="已确认的部门")
    print("acknowledged", flush=True)
    with platform.command() as session:
        service.create_organisation(session, principal=PlatformItself(CLI), kind="provider", name="未提交的部门")
        session.flush()
        print("half-way", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_killed_writer_loses_nothing_acknowledged_and_leaves_nothing_half_written(settings):
    environment = {
        **os.environ,
        "PUBDATA_DATA_DIR": str(settings.data_dir),
        "PUBDATA_DATABASE_URL": settings.database_url,
    }
    finished = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER], env=environment, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == -9, finished.stderr
    assert finished.stdout.split() == ["acknowledged", "half-way"]
    platform = open_platform(settings)
    with platform.command() as session:
        names = set(session.execute(select(Organisation.name)).scalars())
        assert names == {"已确认的部门"}
        assert ledger.size(session) == 1
        assert verify(session, public_keys=platform.public_keys).ok
        # The next append carries on from the acknowledged entry.
        identity.create_organisation(session, principal=AS_CLI, kind="provider", name="重启后的部门")
        assert ledger.size(session) == 2
    platform.close()


def test_first_run_makes_the_bureau_admin_once(platform):
    with platform.command() as session:
        login, password = identity.bootstrap(session, actor=CLI)
        user = identity.authenticate(session, login=login, password=password)
        assert identity.principal_for(session, user).organisation_kind == "bureau"
        assert identity.bootstrap(session, actor=CLI) is None
