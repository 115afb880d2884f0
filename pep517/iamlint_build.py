"""The PEP 517 backend of `pip install .` on this repository: maturin's, with one shortcut.

pre-commit installs a `language: python` hook with `pip install .` in a clone of the repository,
which with maturin alone means compiling iamlint (a Rust toolchain and minutes of build). So when
pip runs under pre-commit (PRE_COMMIT=1), or when there is no `cargo`, this backend hands pip the
released wheel of this very version for this platform instead (fetched by pip itself, so
PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX and pip.conf apply). Otherwise, or when no such wheel
can be had and cargo is there, it is maturin's build, as for any other `pip install .`.

IAMLINT_BUILD=wheel or IAMLINT_BUILD=source forces one of the two. Release wheels themselves are
built by `maturin build` (the release workflow), which does not go through this file.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

MATURIN = "maturin>=1.5,<2"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version():
    with open(os.path.join(HERE, "Cargo.toml"), encoding="utf-8") as f:
        m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', f.read())
    if not m:
        raise RuntimeError("no version in Cargo.toml")
    return m.group(1)


def _mode():
    forced = os.environ.get("IAMLINT_BUILD", "")
    if forced in ("wheel", "source"):
        return forced
    if os.environ.get("PRE_COMMIT") == "1" or shutil.which("cargo") is None:
        return "wheel"
    return "source"


def _released_wheel(directory):
    """Has pip fetch the released wheel of this version into `directory`; its path, or None."""
    spec = "iamlint==" + _version()
    # -I: outside pip's isolated build environment, so the interpreter's own pip is importable.
    cmd = [sys.executable, "-I", "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--dest", directory, spec]
    print("iamlint: fetching the released wheel (" + spec + ") instead of compiling",
          file=sys.stderr)
    if subprocess.run(cmd, stdout=sys.stderr).returncode != 0:
        return None
    found = glob.glob(os.path.join(directory, "iamlint-*.whl"))
    return found[0] if found else None


def _fallback(why):
    if shutil.which("cargo") is None or os.environ.get("IAMLINT_BUILD") == "wheel":
        raise RuntimeError(
            "iamlint: " + why + " of iamlint " + _version() + " for this platform could be "
            "downloaded, and building it needs a Rust toolchain (cargo) on PATH")
    print("iamlint: " + why + "; building from source with maturin", file=sys.stderr)
    try:
        import maturin
    except ImportError:
        raise RuntimeError("iamlint: " + why + "; set IAMLINT_BUILD=source to compile it") from None
    return maturin


def get_requires_for_build_wheel(config_settings=None):
    return [] if _mode() == "wheel" else [MATURIN]


def get_requires_for_build_sdist(config_settings=None):
    return [MATURIN]


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if _mode() == "wheel":
        tmp = tempfile.mkdtemp()
        try:
            wheel = _released_wheel(tmp)
            if wheel:
                shutil.copy(wheel, wheel_directory)
                return os.path.basename(wheel)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        backend = _fallback("no released wheel")
    else:
        import maturin as backend
    return backend.build_wheel(wheel_directory, config_settings, metadata_directory)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if _mode() == "wheel":
        tmp = tempfile.mkdtemp()
        try:
            wheel = _released_wheel(tmp)
            if wheel:
                with zipfile.ZipFile(wheel) as z:
                    names = [n for n in z.namelist() if n.split("/")[0].endswith(".dist-info")]
                    z.extractall(metadata_directory, names)
                return names[0].split("/")[0]
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        backend = _fallback("no released wheel")
    else:
        import maturin as backend
    return backend.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_sdist(sdist_directory, config_settings=None):
    import maturin

    return maturin.build_sdist(sdist_directory, config_settings)
