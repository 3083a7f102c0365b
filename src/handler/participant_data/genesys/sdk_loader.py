"""Loads the Genesys SDK (PureCloudPlatformClientV2) lean: the few modules the service uses, on demand.

Why: the package's `__init__` imports every model and API eagerly (~6,900 modules: ~1.7-2 s and ~215 MB
RSS with valid bytecode, 7-8 s without) and creates its `Configuration()` singleton, which starts watchdog
threads to live-reload a config file (docs/genesys-facts.md#sdk-heavy-import). One PATCH needs
api_client, rest, configuration, conversations_api and participant_attributes.

How (the lean path):

- `PureCloudPlatformClientV2` is registered as a bare package module (its `__path__` is the installed
  folder, so `import PureCloudPlatformClientV2.api_client` finds the real files) whose eager `__init__` is
  never run. `PureCloudPlatformClientV2.models` and `.apis` are bare packages too. All three resolve any
  name the real package exports on first use (PEP 562 `__getattr__`): `models.Conversation` imports
  `models/conversation.py`. The SDK's ApiClient deserialises with `eval('models.' + klass)`, which is
  exactly such an attribute access, so responses still deserialise into the real model classes.
- A class maps to its module by the generator's snake_case rule (`ParticipantAttributes` ->
  `participant_attributes`, `AIStudioApi` -> `ai_studio_api`: true for every export of 269.0.0); a name
  the rule misses is looked up in the export list parsed from the package's own `__init__.py`.
- The `Configuration()` singleton is created before anything else asks for it, reading the config file
  shipped beside this module (`sdk_home/.genesyscloudpython/config`, `live_reload_config = false`): the
  SDK reads `~/.genesyscloudpython/config`, so HOME points at `sdk_home` while the singleton is built.
  No watchdog thread is ever started. The plain import gets the same treatment.

Guard: the lean path depends on the package's layout, not on a public API. It is checked first (the
files it imports exist, the names it needs map to them); then, once the lean modules are loaded,
`sdk_self_check` rehearses with no network what requests will do (the PATCH built from a
`ParticipantAttributes`, a `Conversation` deserialised by the ApiClient), because an SDK can pass the
layout check and still differ where requests go. If anything is missing, the lean import raises or the
rehearsal fails, the partial modules are dropped and the plain `import PureCloudPlatformClientV2` runs
instead, before any request, with a warning log that says why. tests/unit/test_sdk_loader.py checks both
paths against the pinned version, and the fallback with a deliberately broken copy of the SDK.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import logging
import os
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from participant_data.genesys import sdk_self_check
from participant_data.observability import logger

PACKAGE = "PureCloudPlatformClientV2"
# The SDK version the lean layout was checked against (src/handler/requirements.txt pins it).
PINNED_VERSION = "269.0.0"
# The folder that plays HOME while the SDK's Configuration() singleton reads its config file.
SDK_HOME = Path(__file__).resolve().parent / "sdk_home"
SDK_CONFIG_FILE = SDK_HOME / ".genesyscloudpython" / "config"

# Imported during init (where Lambda gives full CPU, and which a SnapStart snapshot keeps), in this order:
# configuration first, so that the singleton exists before anything else asks for it.
EAGER_MODULES = (
    "configuration",
    "abstract_http_client",
    "http_request_options",
    "rest",
    "api_client",
    "apis.conversations_api",
    "models.participant_attributes",
)
# Names the service uses and the module each must come from (checked before the lean path is taken).
REQUIRED_EXPORTS: Mapping[str, str] = {
    "ApiClient": "api_client",
    "Configuration": "configuration",
    "ConversationsApi": "apis.conversations_api",
    "ParticipantAttributes": "models.participant_attributes",
    "Conversation": "models.conversation",
    "Participant": "models.participant",
}
# Package files the lean path reads or imports besides those of EAGER_MODULES and REQUIRED_EXPORTS.
REQUIRED_FILES = ("__init__.py", "models/__init__.py", "apis/__init__.py", "utils.py", "logger.py")

_EXPORT_LINE = re.compile(r"^from \.([\w.]+) import (\w+)\s*$", re.MULTILINE)
_WORD_BOUNDARY = (re.compile(r"(.)([A-Z][a-z]+)"), re.compile(r"([a-z0-9])([A-Z])"))
_HOME_LOCK = threading.Lock()


class LayoutChanged(Exception):
    """The installed SDK is not laid out as the lean path expects."""


@dataclass(frozen=True, slots=True)
class LoadedSdk:
    mode: Literal["lean", "plain"]
    package: types.ModuleType
    # Why the lean path was not taken (None when it was).
    fallback_reason: str | None = None

    def attribute(self, module: str, name: str) -> Any:
        """`name` from the package's submodule `module` (e.g. "rest", "ApiException")."""
        return getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)


def load() -> LoadedSdk:
    """The SDK, lean when its layout allows it, else by the plain import (with a warning)."""
    if PACKAGE in sys.modules:
        # Someone imported it before us (a test, a tool): use what is there, whichever way it was loaded.
        package = sys.modules[PACKAGE]
        mode: Literal["lean", "plain"] = "lean" if getattr(package, "__lean__", False) else "plain"
        return LoadedSdk(mode, package, None if mode == "lean" else "imported before the service")
    try:
        directory = package_directory()
        check_layout(directory)
        package = _import_lean(directory)
        sdk_self_check.run(package)  # before any request relies on the lean path
    except Exception as error:  # any failure of the lean path means: use the plain import
        _forget_sdk_modules()
        reason = f"{type(error).__name__}: {error}"
        logger.warning(
            "Genesys SDK: the lean import is not possible, importing the whole SDK (slower cold start)",
            extra={"sdk_fallback_reason": reason, "sdk_pinned_version": PINNED_VERSION},
        )
        with sdk_home():
            package = importlib.import_module(PACKAGE)
        _configure(sys.modules[f"{PACKAGE}.configuration"].Configuration())
        return LoadedSdk("plain", package, reason)
    return LoadedSdk("lean", package)


def package_directory() -> Path:
    """The installed package's folder, found without running its `__init__`."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LayoutChanged(f"{PACKAGE} is not an installed package")
    (directory,) = spec.submodule_search_locations
    return Path(directory)


def check_layout(directory: Path) -> None:
    """Raise LayoutChanged unless every file the lean path needs is where it expects it."""
    modules = {*EAGER_MODULES, *REQUIRED_EXPORTS.values()}
    expected = [*REQUIRED_FILES, *(module.replace(".", "/") + ".py" for module in modules)]
    missing = [name for name in expected if not (directory / name).is_file()]
    if missing:
        raise LayoutChanged(f"missing in {directory}: {', '.join(sorted(missing))}")
    for name, module in REQUIRED_EXPORTS.items():
        found = module_of(name, directory, module.rpartition(".")[0])
        if found != module:
            raise LayoutChanged(f"{name} is expected in {module}, found in {found}")


def module_of(name: str, directory: Path, subpackage: str) -> str | None:
    """The module (relative to the package) that defines the exported class `name`, if any.

    `subpackage` is "models", "apis" or "" (the package itself, which also exports both). The
    snake_case rule is tried first (a file check); a name it misses is looked up in the package's own
    export list (its `__init__.py`, parsed once).
    """
    guess = snake_case(name)
    for folder in (subpackage,) if subpackage else ("", "models", "apis"):
        if (directory / folder / f"{guess}.py").is_file():
            return f"{folder}.{guess}" if folder else guess
    module = _exports(str(directory)).get(name)
    if module is None or (subpackage and not module.startswith(subpackage + ".")):
        return None
    return module


def snake_case(name: str) -> str:
    """The generator's file name for a class: `ParticipantAttributes` -> `participant_attributes`."""
    first, second = _WORD_BOUNDARY
    return second.sub(r"\1_\2", first.sub(r"\1_\2", name)).lower()


@cache
def _exports(directory: str) -> dict[str, str]:
    """Every name the real `__init__.py` imports, with its module (read as text, never run)."""
    text = (Path(directory) / "__init__.py").read_text(encoding="utf-8")
    return {name: module for module, name in _EXPORT_LINE.findall(text)}


def _import_lean(directory: Path) -> types.ModuleType:
    package = _lazy_package(PACKAGE, directory, "")
    package.__lean__ = True  # type: ignore[attr-defined]  # marks a lean load for load() and the tests
    sys.modules[PACKAGE] = package
    for subpackage in ("models", "apis"):
        module = _lazy_package(f"{PACKAGE}.{subpackage}", directory, subpackage)
        sys.modules[module.__name__] = module
        setattr(package, subpackage, module)
    for name in EAGER_MODULES:
        importlib.import_module(f"{PACKAGE}.{name}")
        if name == "configuration":
            with sdk_home():
                configuration = package.Configuration()
    _configure(configuration)
    # The real __init__ ends with `configuration = Configuration()`: the attribute is the singleton.
    package.configuration = configuration  # type: ignore[attr-defined]
    return package


def _lazy_package(name: str, directory: Path, subpackage: str) -> types.ModuleType:
    """A package module whose `__init__` is not run: its exports are imported on first access."""
    folder = directory / subpackage if subpackage else directory
    module = types.ModuleType(name, f"{name}, loaded lean by {__name__}: exports are imported on demand.")
    spec = importlib.machinery.ModuleSpec(name, None, origin=str(folder / "__init__.py"), is_package=True)
    spec.submodule_search_locations = [str(folder)]
    module.__spec__ = spec
    module.__path__ = [str(folder)]
    module.__file__ = str(folder / "__init__.py")
    module.__package__ = name
    module.__getattr__ = _lazy_getattr(module, directory, subpackage)  # type: ignore[method-assign]
    return module


def _lazy_getattr(module: types.ModuleType, directory: Path, subpackage: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if not name[:1].isupper():  # exports are classes; dunder and module names are not looked up
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        target = module_of(name, directory, subpackage)
        if target is None:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{PACKAGE}.{target}"), name)
        setattr(module, name, value)
        return value

    return __getattr__


@contextlib.contextmanager
def sdk_home() -> Iterator[None]:
    """HOME is SDK_HOME inside this block: the SDK's Configuration() reads SDK_CONFIG_FILE when created."""
    with _HOME_LOCK:
        previous = os.environ.get("HOME")
        os.environ["HOME"] = str(SDK_HOME)
        try:
            yield
        finally:
            if previous is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = previous


def _configure(configuration: Any) -> None:
    """What the service needs of the SDK's Configuration() singleton, whichever way the SDK was loaded."""
    _check_no_config_watcher(configuration)
    _format_sdk_logs_only_when_kept(configuration.logger)


def _format_sdk_logs_only_when_kept(sdk_logger: Any) -> None:
    """The SDK's Logger builds a full log statement (two timestamps, headers, body) for every request, then
    hands it to a `logging.Logger` that discards it at the level the service uses (none): ~14 of the ~35
    microseconds the SDK itself spends per call. Build it only when the level keeps it."""
    inner = getattr(sdk_logger, "_logger", None)
    levels = getattr(sys.modules.get(f"{PACKAGE}.logger"), "LogLevel", None)
    if not isinstance(inner, logging.Logger) or levels is None:
        return  # not the Logger this was written for: leave it as it is
    for name, level in (
        ("trace", getattr(levels, "LTrace", None)),
        ("debug", getattr(levels, "LDebug", None)),
    ):
        method = getattr(sdk_logger, name, None)
        if isinstance(level, int) and callable(method):
            setattr(sdk_logger, name, _only_when_enabled(inner, level, method))


def _only_when_enabled(inner: logging.Logger, level: int, method: Callable[..., None]) -> Callable[..., None]:
    def log(*args: Any, **kwargs: Any) -> None:
        if inner.isEnabledFor(level):
            method(*args, **kwargs)

    return log


def _check_no_config_watcher(configuration: Any) -> None:
    if configuration.live_reload_config:
        logger.warning(
            "Genesys SDK: its Configuration() was created before the service's config file was read: "
            "its config-watcher threads are running",
            extra={"sdk_config_file": configuration.config_file_path},
        )


def _forget_sdk_modules() -> None:
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]
