"""The README's embedding example runs as written, against the simulator instead of the testnet."""

import re

from engine.sim import SimExchange
from tests.support.engine_fixtures import run
from tests.support import ROOT

README = ROOT / "README.md"


def test_readme_example_runs(monkeypatch, capsys):
    embedding = README.read_text().split("\n## Embedding it in an asyncio bot\n", 1)[1]
    code = re.search(r"```python\n(import engine\n.*?)```", embedding, re.S).group(1)
    assert 'engine.connect("bybit")' in code and "engine.run(main())" in code

    async def main():
        async with SimExchange(seed=4, accounts=[("readme-key", "readme-secret")]) as sim:
            monkeypatch.setenv("BYBIT_API_KEY", "readme-key")
            monkeypatch.setenv("BYBIT_API_SECRET", "readme-secret")
            src = code.replace('engine.connect("bybit")', f'engine.connect("bybit", rest_url="{sim.url}")')
            src = src.replace("engine.run(main())", "")
            namespace: dict = {}
            exec(compile(src, str(README), "exec"), namespace)
            await namespace["main"]()

    run(main())
    out = capsys.readouterr().out
    assert out.startswith("NEW ") and "filled 0.01 at" in out and "Position(symbol='BTCUSDT'" in out
    assert "p50" in out
