"""The machine a report was made on: CPU model, cores, Python, OS and library versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata

__all__ = ["cpu_model", "machine_info", "machine_lines", "package_versions", "PACKAGES"]

# Distributions whose versions a report names (missing ones are reported as absent).
PACKAGES = ("engine", "numpy", "aiohttp", "uvloop", "picows", "httptools", "msgspec", "matplotlib",
            "ccxt", "python-binance", "binance-connector", "pybit")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what :mod:`platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (None when it is not installed)."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    if out.get("engine") is None and "engine" in names:
        from engine import __version__  # run from a source tree that was never pip-installed
        out["engine"] = __version__
    return out


def machine_info(packages=PACKAGES) -> dict:
    """A JSON-ready description of this machine and the libraries in use."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "arch": platform.machine(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "versions": package_versions(packages),
    }


def machine_lines(info: dict) -> list[str]:
    """Markdown bullet lines for a :func:`machine_info` dict."""
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v)
    absent = ", ".join(k for k, v in info["versions"].items() if not v)
    lines = [
        f"- CPU: {info['cpu']} ({info['arch']}), {info['cores']} cores ({info['usable_cores']} usable)",
        f"- Python: {info['python']}",
        f"- OS: {info['os']}",
        f"- Libraries: {versions}",
        "- Cores: " + (f"client on {info['cores_used']['client_cpus']}, simulators on "
                       f"{info['cores_used']['sim_cpus']}" if info.get("cores_used", {}).get("pinned")
                       else f"not pinned ({info.get('cores_used', {}).get('why', 'not asked')})"),
    ]
    if absent:
        lines.append(f"- Not installed: {absent}")
    return lines
