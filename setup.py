"""Build the compiled core: every ``ext/<name>.pyx`` becomes the module ``engine._<name>``.

Release build (default): ``-O3 -DNDEBUG``, bounds checks on unless a function opts out.
Debug build: ``ENGINE_DEBUG=1`` turns on line tracing (coverage, profiling), C asserts,
``-O0 -g`` and annotated HTML next to the generated C in ``build/cython-debug/``.
``ENGINE_ONLY=fixedpoint,signer`` builds a subset (handy while working on one module).
"""

import glob
import os
import shutil
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build import build
from setuptools.command.build_ext import build_ext

CYTHON_REQUIRED = (3, 3)  # keep in step with [build-system] in pyproject.toml
EXT_DIR = "ext"
PACKAGE = "engine"
DEBUG = os.environ.get("ENGINE_DEBUG", "") not in ("", "0")
ONLY = {n for n in os.environ.get("ENGINE_ONLY", "").split(",") if n}


def module_name(pyx_path: str) -> str:
    """``ext/<name>.pyx`` -> ``engine._<name>``: the one place the mapping lives."""
    stem = os.path.splitext(os.path.basename(pyx_path))[0]
    return f"{PACKAGE}._{stem}"


def staged_pxd_path(pxd_path: str) -> str:
    """``ext/<name>.pxd`` -> ``engine/_<name>.pxd``, where cimport by module name finds it."""
    stem = os.path.splitext(os.path.basename(pxd_path))[0]
    return os.path.join(PACKAGE, f"_{stem}.pxd")


def stage_pxd_files() -> None:
    """Copy each declaration file to where Cython resolves ``engine._<name>`` (and the wheel ships it)."""
    for pxd in sorted(glob.glob(os.path.join(EXT_DIR, "*.pxd"))):
        target = staged_pxd_path(pxd)
        if os.path.exists(target) and open(pxd, "rb").read() == open(target, "rb").read():
            continue
        tmp = target + ".tmp"
        shutil.copyfile(pxd, tmp)
        os.replace(tmp, target)


def require_cython():
    try:
        import Cython
        from Cython.Build import cythonize
    except ImportError:
        sys.exit("engine: building needs Cython %d.%d (pip install -e . installs it)" % CYTHON_REQUIRED)
    version = tuple(int(p) for p in Cython.__version__.split(".")[:2])
    if version != CYTHON_REQUIRED:
        sys.exit(f"engine: Cython {Cython.__version__} found, {CYTHON_REQUIRED[0]}.{CYTHON_REQUIRED[1]}.x required")
    return cythonize


COMPILER_DIRECTIVES = {
    "language_level": 3,        # Python 3 semantics everywhere
    "embedsignature": True,     # signatures in docstrings for help() and stubs
    "boundscheck": True,        # on by default; functions opt out where indices are proven
    "wraparound": True,         # likewise; hot loops opt out after validating ranges
    "cdivision": False,         # Python division semantics unless a function opts in
    "initializedcheck": True,   # memoryviews must be set before use
    "binding": False,           # plain C functions for cpdef/def: faster calls
    "linetrace": DEBUG,         # line events for coverage/profiling (debug build only)
    "profile": DEBUG,           # function events for cProfile (debug build only)
}


def extensions():
    import numpy

    include_dirs = [EXT_DIR, numpy.get_include()]
    macros = [("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")]
    if DEBUG:
        macros += [("CYTHON_TRACE", "1"), ("CYTHON_TRACE_NOGIL", "1")]
        cflags = ["-O0", "-g3", "-UNDEBUG"]
    else:
        macros += [("NDEBUG", "1")]
        cflags = ["-O3"]
    cflags += ["-Wall", "-Wno-unused-function", "-Wno-unreachable-code"]
    mods = []
    for pyx in sorted(glob.glob(os.path.join(EXT_DIR, "*.pyx"))):
        name = module_name(pyx)
        stem = name.rsplit("._", 1)[1]
        if ONLY and stem not in ONLY:
            continue
        # Hand-written C units that belong to this module: ext/<stem>_*.c
        c_units = sorted(glob.glob(os.path.join(EXT_DIR, f"{stem}_*.c")))
        mods.append(
            Extension(
                name,
                sources=[pyx, *c_units],
                include_dirs=include_dirs,
                define_macros=macros,
                extra_compile_args=cflags,
                depends=sorted(glob.glob(os.path.join(EXT_DIR, "*.h")) + glob.glob(os.path.join(EXT_DIR, "*.pxd"))),
            )
        )
    return mods


BUILD_DIR = "build/cython-debug" if DEBUG else "build/cython"  # generated C kept apart per mode
MODE_FILE = os.path.join("build", "mode")


class BuildExt(build_ext):
    """build_ext that says plainly when there is no C compiler, and rebuilds when the mode changes.

    It compiles the modules in parallel (one compiler per core unless ``-j`` says otherwise), and
    ``pip install -e .`` compiles where ``setup.py build_ext --inplace`` does: so ``make build``
    after a fresh editable install finds every module up to date instead of compiling it again.
    """

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1
        if self.editable_mode:
            # An editable install builds in throw-away directories, then copies the modules in place.
            # Build in the plain build's own directories instead (build/lib.<plat>, build/temp.<plat>).
            plain = build(self.distribution)
            plain.finalize_options()
            self.build_lib, self.build_temp = plain.build_platlib, plain.build_temp

    def run(self):
        mode = "debug" if DEBUG else "release"
        previous = open(MODE_FILE).read().strip() if os.path.exists(MODE_FILE) else None
        if self.inplace and previous != mode:
            self.force = True  # a debug .so must not survive a release build (and vice versa)
        cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
        if os.environ.get("CC"):
            cc = os.environ["CC"].split()[0]
        if shutil.which(cc) is None:
            sys.exit(
                f"engine: no C compiler found (looked for {cc!r} on PATH). "
                "Install gcc or clang (e.g. 'apt-get install build-essential') and build again."
            )
        super().run()
        if not self.inplace:
            return
        os.makedirs(os.path.dirname(MODE_FILE), exist_ok=True)
        with open(MODE_FILE, "w") as f:
            f.write(mode + "\n")


def main():
    # Only building needs Cython; metadata queries (egg_info, sdist) work without compiling.
    needs_build = not any(a in sys.argv for a in ("egg_info", "--version", "--name", "clean"))
    ext_modules = []
    if needs_build:
        cythonize = require_cython()
        from Cython.Compiler import Options

        Options.warning_errors = True
        stage_pxd_files()
        ext_modules = cythonize(
            extensions(),
            build_dir=BUILD_DIR,
            compiler_directives=COMPILER_DIRECTIVES,
            include_path=[".", EXT_DIR],
            annotate=DEBUG,
            nthreads=os.cpu_count() or 1,
            quiet=True,
        )
    setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildExt})


if __name__ == "__main__":
    main()
