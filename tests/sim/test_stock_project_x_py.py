"""project-x-py, the stock ProjectX Gateway client, against the simulator's TopstepX personality, pointed at it
by its REST and hub URLs only: authenticate, accounts, contract search, place / modify / cancel, positions.

project-x-py needs Python 3.12+, and this suite's interpreter may be older: the bot
(tests/sim/project_x_py_client.py) runs in a 3.12+ interpreter that has project-x-py, in a subprocess,
while the simulator runs here.  The interpreter is ``$ENGINE_PY312``, else a ``.venv-py312`` beside the
checkout, else ``python3.12``/``python3.13`` on the PATH; without one that imports project_x_py the test is
skipped, saying so.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
import uvloop

from engine.sim import SimExchange
from tests.support import ROOT

USER, KEY = "px-user", "px-api-key"
MNQ = "CON.F.US.MNQ.Z26"


def _interpreter() -> str | None:
    candidates = [os.environ.get("ENGINE_PY312"), str(ROOT.parent / ".venv-py312" / "bin" / "python"),
                  shutil.which("python3.12"), shutil.which("python3.13")]
    if sys.version_info >= (3, 12):
        candidates.insert(0, sys.executable)
    for python in candidates:
        if python and os.path.exists(python) and subprocess.run(
                [python, "-c", "import project_x_py"], capture_output=True, timeout=60).returncode == 0:
            return python
    return None


PYTHON = _interpreter()
pytestmark = pytest.mark.skipif(PYTHON is None, reason="project-x-py needs Python 3.12+: no Python 3.12+ "
                                "interpreter with project-x-py here (set ENGINE_PY312 to one)")


def test_project_x_py_trades_unchanged_against_the_personality():
    async def main():
        async with SimExchange(accounts=[(USER, KEY)]) as sim:
            proc = await asyncio.create_subprocess_exec(
                PYTHON, str(ROOT / "tests" / "sim" / "project_x_py_client.py"), sim.urls["topstepx"], USER, KEY,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"PATH": os.environ.get("PATH", ""),
                                                                     "HOME": os.environ.get("HOME", "/tmp")})
            out, err = await asyncio.wait_for(proc.communicate(), 120)
            assert proc.returncode == 0, err.decode()[-3000:]
            seen = json.loads(out.decode().strip().splitlines()[-1])
            acct = sim.state["topstepx"].accounts[USER]
            assert seen["accounts"] == [acct.id]
            assert MNQ in seen["search"] and seen["instrument"]["id"] == MNQ
            assert seen["instrument"]["tickSize"] == 0.25 and seen["instrument"]["tickValue"] == 0.5
            bid = sim.core.orders[seen["limit"]]
            assert seen["modified"] and seen["cancelled"]
            assert bid.price == Decimal("20000.25") and bid.status == "CANCELED"
            market = sim.core.orders[seen["market"]]
            assert market.status == "FILLED"
            assert seen["positions"] == [[MNQ, 1, 2]]
    uvloop.run(asyncio.wait_for(main(), 150))
