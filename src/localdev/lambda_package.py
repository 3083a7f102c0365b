"""The function's package for this machine's platform, built by src/handler/Makefile (`sam build`'s recipe).

Lambda runs the function on arm64; `make bench` (timing) and `make invoke` (`sam local invoke`) run it on
this machine instead, so they build the same package with this platform's wheels rather than emulate
another CPU: on an arm64 machine that is the deployed package, on x86_64 its x86_64 twin.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess  # nosec B404  # runs make on the project's own Makefile
from pathlib import Path

HANDLER_DIR = Path(__file__).resolve().parents[1] / "handler"
REPO = HANDLER_DIR.parents[1]
# Written last into a package built by ensure_host_package: its age says whether the sources changed since.
BUILT_STAMP = ".built"

# platform.machine() -> Lambda's name for the architecture.
_LAMBDA_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def host_architecture() -> str:
    """This machine's architecture as template.yaml's `Architectures` spells it (x86_64 or arm64)."""
    machine = platform.machine().lower()
    try:
        return _LAMBDA_ARCHITECTURES[machine]
    except KeyError:
        raise RuntimeError(f"Lambda has no architecture for this machine ({machine})") from None


def host_platform_tag() -> str:
    """The wheel platform src/handler/Makefile installs for on this machine (LAMBDA_PLATFORM)."""
    return {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}[host_architecture()]


def build_host_package(python: Path, target: Path) -> Path:
    """Build the package into `target` (emptied first) with `python` (3.13) for this machine's platform."""
    if target.exists():
        shutil.rmtree(target)
    subprocess.run(  # noqa: S603  # nosec B603, B607  # make from PATH, the project's Makefile
        [  # noqa: S607
            "make",
            "-s",
            "-C",
            str(HANDLER_DIR),
            "build-ParticipantDataFunction",
            f"ARTIFACTS_DIR={target}",
            f"LAMBDA_PLATFORM={host_platform_tag()}",
            f"PYTHON={python}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target


def package_is_current(target: Path) -> bool:
    """Whether `target` was built (by ensure_host_package) after the last change under src/handler."""
    stamp = target / BUILT_STAMP
    if not stamp.is_file():
        return False
    built = stamp.stat().st_mtime
    return all(
        source.stat().st_mtime <= built
        for source in HANDLER_DIR.rglob("*")
        if source.is_file() and "__pycache__" not in source.parts
    )


def ensure_host_package(python: Path, target: Path) -> tuple[Path, bool]:
    """The package in `target`, built only when missing or older than the sources; (path, built now)."""
    if package_is_current(target):
        return target, False
    build_host_package(python, target)
    (target / BUILT_STAMP).touch()
    return target, True


def invoke_package_dir() -> Path:
    """Where `make invoke` keeps this machine's package (the Makefile builds it before the tests)."""
    return REPO / "build" / "invoke" / f"package-{host_architecture()}"


def main() -> None:
    """`python -m localdev.lambda_package --python PYTHON3.13`: make sure `make invoke`'s package is built."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--python", type=Path, required=True, help="Python 3.13, to build the package with")
    arguments = parser.parse_args()
    package, built = ensure_host_package(arguments.python, invoke_package_dir())
    print(f"{'Built' if built else 'Up to date'}: {package.relative_to(REPO)}")


if __name__ == "__main__":
    main()
