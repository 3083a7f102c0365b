"""The lean Genesys SDK loader (participant_data/genesys/sdk_loader.py) and its self-check
(sdk_self_check.py), against the pinned SDK version.

Whether the lean path or the plain import runs is decided once per process, so those checks run in fresh
subprocesses; each makes a real PATCH (and a GET that deserialises a Conversation) against the emulator.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import socket
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from participant_data.genesys import sdk_loader, sdk_self_check
from participant_data.genesys.customer_selection import MEDIA_LISTS
from tests.processes import PROJECT_PYTHONPATH, run

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "src" / "handler" / "requirements.txt"

# Run in a fresh interpreter: PRELUDE (patches for the fallback cases), then the service's SDK module, a
# real PATCH and GET against an in-process emulator, and a JSON report on the last line of stdout.
PROBE = """
import json, sys, threading
{prelude}
from participant_data.genesys import sdk
from participant_data.genesys.sdk_loader import PACKAGE
from genesys_emulator import GenesysEmulator
from participant_data.container import build_dependencies
from participant_data.deadline import Deadline
from participant_data.settings import load_settings

modules_after_import = len(sys.modules)
sdk_modules_after_import = sum(1 for name in sys.modules if name.split(".")[0] == PACKAGE)

class Secrets:
    def __init__(self, base_url):
        self.document = {{"client_id": "c", "client_secret": "s", "environment": base_url}}
    def get_secret_value(self, SecretId):
        return {{"SecretString": json.dumps(self.document)}}

with GenesysEmulator() as emulator:
    emulator.add_client("c", "s")
    conversation = emulator.create_conversation(
        [{{"purpose": "customer", "attributes": {{"kept": "yes"}}}}, {{"purpose": "agent"}}]
    )
    customer = conversation["participants"][0]["id"]
    gateway = build_dependencies(
        load_settings(), secrets_client_factory=lambda connect, read: Secrets(emulator.base_url)
    ).genesys
    gateway.set_attributes(conversation["id"], customer, {{"ivr_choice": "billing"}}, Deadline(10))
    found = gateway.customer_participant_id(conversation["id"], Deadline(10))
    attributes = emulator.participant_attributes(conversation["id"], customer)

package = sys.modules[PACKAGE]
configuration = sys.modules[PACKAGE + ".configuration"].Configuration()
names = [*sdk.__all__, "Conversation", "Participant", "Configuration", "ApiClient"]
exported = {{}}
for name in names:
    if name == "LOAD_MODE":
        continue
    value = getattr(sdk, name, None) or getattr(package, name)
    exported[name] = [value.__module__, value.__qualname__]
print(json.dumps({{
    "mode": sdk.LOAD_MODE,
    "modules_after_import": modules_after_import,
    "sdk_modules_after_import": sdk_modules_after_import,
    "attributes": attributes,
    "customer_found": found == customer,
    "threads": [[t.name, type(t).__module__, getattr(getattr(t, "_target", None), "__qualname__", None)]
                for t in threading.enumerate()],
    "live_reload_config": configuration.live_reload_config,
    "config_file": configuration.config_file_path,
    "exported": exported,
}}))
"""

PLAIN_EXPORTS = """
import json, PureCloudPlatformClientV2 as sdk
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
from PureCloudPlatformClientV2.http_request_options import HttpRequestOptions
from PureCloudPlatformClientV2.rest import ApiException, RESTResponse
extra = dict(AbstractHttpClient=AbstractHttpClient, HttpRequestOptions=HttpRequestOptions,
             ApiException=ApiException, RESTResponse=RESTResponse)
names = json.loads(input())
print(json.dumps({name: [(extra.get(name) or getattr(sdk, name)).__module__,
                         (extra.get(name) or getattr(sdk, name)).__qualname__] for name in names}))
"""


def _python(
    script: str, stdin: str | None = None, sdk_site: Path | None = None
) -> tuple[dict[str, Any], str]:
    """Run `script` in a fresh interpreter; `sdk_site` is a folder whose SDK copy shadows the installed one
    (its bytecode is then never written: the copy links to the installed package's files)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    first = [str(sdk_site)] if sdk_site is not None else []
    environment |= {
        "PYTHONPATH": os.pathsep.join([*first, PROJECT_PYTHONPATH]),
        "GENESYS_SECRET_ID": "genesys/participant-data",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    if sdk_site is not None:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    result = run([sys.executable, "-c", script], environment, stdin=stdin)
    assert result.returncode == 0, result.stderr[-4000:]
    *before, last = result.stdout.strip().splitlines()
    report: dict[str, Any] = json.loads(last)
    return report, "\n".join(before)


def _probe(prelude: str = "", sdk_site: Path | None = None) -> tuple[dict[str, Any], str]:
    return _python(PROBE.format(prelude=textwrap.dedent(prelude)), sdk_site=sdk_site)


def _fallback_warning(output: str) -> dict[str, Any]:
    warnings: list[dict[str, Any]] = [
        json.loads(line) for line in output.splitlines() if line.startswith("{")
    ]
    (warning,) = [line for line in warnings if "lean import is not possible" in line["message"]]
    return warning


def _watchdog_threads(report: dict[str, Any]) -> list[Any]:
    return [
        thread
        for thread in report["threads"]
        if str(thread[1]).startswith("watchdog") or "_run_observer" in f"{thread[0]} {thread[2]}"
    ]


@pytest.fixture(scope="module")
def lean() -> dict[str, Any]:
    report, _ = _probe()
    return report


@pytest.fixture(scope="module")
def plain_module_count() -> int:
    report, _ = _python(
        "import json, sys, PureCloudPlatformClientV2\nprint(json.dumps({'modules': len(sys.modules)}))"
    )
    return int(report["modules"])


# --- Against the pinned version: the lean path -------------------------------------------------------


def test_the_installed_sdk_is_the_pinned_version() -> None:
    pinned = {
        line.split("==")[0].strip(): line.split("==")[1].strip()
        for line in REQUIREMENTS.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert pinned["PureCloudPlatformClientV2"] == sdk_loader.PINNED_VERSION
    assert importlib.metadata.version("PureCloudPlatformClientV2") == sdk_loader.PINNED_VERSION


def test_the_layout_check_passes_for_the_pinned_version() -> None:
    sdk_loader.check_layout(sdk_loader.package_directory())


def test_the_snake_case_rule_agrees_with_the_sdks_own_export_list() -> None:
    directory = sdk_loader.package_directory()
    exports = sdk_loader._exports(str(directory))
    assert len(exports) > 6000
    subpackages = {
        name: module.partition(".")[0] if "." in module else "" for name, module in exports.items()
    }
    mismatches = {
        name: (module, sdk_loader.module_of(name, directory, subpackages[name]))
        for name, module in exports.items()
        if sdk_loader.module_of(name, directory, subpackages[name]) != module
    }
    assert mismatches == {}
    assert sdk_loader.snake_case("ParticipantAttributes") == "participant_attributes"
    assert sdk_loader.snake_case("AIStudioApi") == "ai_studio_api"


def test_the_lean_path_is_taken_and_makes_the_real_calls(lean: dict[str, Any]) -> None:
    assert lean["mode"] == "lean"
    assert lean["attributes"] == {"kept": "yes", "ivr_choice": "billing"}
    assert lean["customer_found"] is True  # the GET's Conversation was deserialised by the lazy models


def test_a_fresh_process_loads_far_fewer_modules(lean: dict[str, Any], plain_module_count: int) -> None:
    assert lean["sdk_modules_after_import"] < 400
    assert plain_module_count > 6000
    assert lean["modules_after_import"] * 4 < plain_module_count


def test_the_lean_path_exports_the_same_classes_as_the_plain_import(lean: dict[str, Any]) -> None:
    plain, _ = _python(PLAIN_EXPORTS, stdin=json.dumps(sorted(lean["exported"])))
    assert lean["exported"] == plain


def test_no_config_watcher_thread_after_a_real_patch(lean: dict[str, Any]) -> None:
    assert _watchdog_threads(lean) == []
    assert lean["live_reload_config"] is False
    assert lean["config_file"] == str(sdk_loader.SDK_CONFIG_FILE)


def test_the_plain_import_would_start_one(plain_module_count: int) -> None:
    report, _ = _python(
        "import json, threading, PureCloudPlatformClientV2\n"
        "print(json.dumps({'threads': [t.name for t in threading.enumerate()]}))"
    )
    assert any("_run_observer" in name for name in report["threads"])


# --- The fallback -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "prelude"),
    [
        (
            "a file the lean path needs is missing",
            """
            from participant_data.genesys import sdk_loader
            sdk_loader.REQUIRED_FILES = (*sdk_loader.REQUIRED_FILES, "no_such_module.py")
            """,
        ),
        (
            "a class is no longer where it was",
            """
            from participant_data.genesys import sdk_loader
            sdk_loader.REQUIRED_EXPORTS = {**sdk_loader.REQUIRED_EXPORTS, "ApiClient": "apis.api_client"}
            """,
        ),
        (
            "the lean import fails half way",
            """
            from participant_data.genesys import sdk_loader
            sdk_loader.EAGER_MODULES = (*sdk_loader.EAGER_MODULES[:3], "no_such_module")
            sdk_loader.check_layout = lambda directory: None
            """,
        ),
    ],
)
def test_the_plain_import_takes_over_with_a_warning(case: str, prelude: str, plain_module_count: int) -> None:
    report, output = _probe(prelude)
    assert report["mode"] == "plain", case
    assert report["attributes"] == {"kept": "yes", "ivr_choice": "billing"}
    assert report["customer_found"] is True
    assert report["sdk_modules_after_import"] > 6000
    warning = _fallback_warning(output)
    assert warning["level"] == "WARNING"
    assert warning["sdk_pinned_version"] == sdk_loader.PINNED_VERSION
    # The shipped config file applies to the plain import too: still no watcher thread.
    assert _watchdog_threads(report) == []
    assert report["live_reload_config"] is False


# --- The self-check: an SDK that passes the layout check but differs where requests go -------------------


def _sdk_with_call_moved(tmp_path: Path) -> Path:
    """A site folder holding a copy of the installed SDK (symlinks to its files and bytecode) in which the
    model `Call` moved to `models/call_moved.py`, and both export lists name it in a form the lean loader
    does not read (`import Call as Call`). The plain import still finds it; the lean path's lazy `models`
    does not, and the layout check does not look at `Call` (it is only in the GET's participants)."""
    real = sdk_loader.package_directory()
    site = tmp_path / "site"
    copy = site / sdk_loader.PACKAGE
    (copy / "models").mkdir(parents=True)
    for folder, moved in ((real, {"models", "__init__.py"}), (real / "models", {"call.py", "__init__.py"})):
        target = copy / folder.relative_to(real)
        for entry in folder.iterdir():
            if entry.name not in moved:
                (target / entry.name).symlink_to(entry)
    (copy / "models" / "call_moved.py").symlink_to(real / "models" / "call.py")
    for init, line in (
        ("__init__.py", "from .models.call import Call\n"),
        ("models/__init__.py", "from .call import Call\n"),
    ):
        text = (real / init).read_text(encoding="utf-8")
        assert text.count(line) == 1
        moved_line = line.replace(".call import Call", ".call_moved import Call as Call")
        (copy / init).write_text(text.replace(line, moved_line), encoding="utf-8")
    return site


def test_an_sdk_that_passes_the_layout_check_but_fails_the_self_check_is_imported_plain(
    tmp_path: Path,
) -> None:
    site = _sdk_with_call_moved(tmp_path)
    sdk_loader.check_layout(site / sdk_loader.PACKAGE)  # the layout check alone would take the lean path

    report, output = _probe(sdk_site=site)

    assert report["mode"] == "plain"
    reason = _fallback_warning(output)["sdk_fallback_reason"]
    assert reason.startswith("SdkSelfCheckFailed: deserialising a Conversation: AttributeError")
    assert "Call" in reason
    # The plain import serves the real calls, and no partial lean module was left behind to confuse it.
    assert report["attributes"] == {"kept": "yes", "ivr_choice": "billing"}
    assert report["customer_found"] is True
    assert (
        report["exported"]["ParticipantAttributes"][0]
        == "PureCloudPlatformClientV2.models.participant_attributes"
    )
    assert report["live_reload_config"] is False


def test_the_self_check_passes_on_the_pinned_sdk_without_touching_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = _loaded_sdk()

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the self-check opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    sdk_self_check.run(package)


def test_the_self_check_rehearses_every_communication_list_the_customer_rule_reads() -> None:
    assert sorted(sdk_self_check.MEDIA_LISTS.values()) == sorted(MEDIA_LISTS)


def _loaded_sdk() -> types.ModuleType:
    from participant_data.genesys import sdk  # noqa: F401 - loads the SDK

    return sys.modules[sdk_loader.PACKAGE]


def _with(package: types.ModuleType, **replacements: Any) -> types.ModuleType:
    """A stand-in for the SDK package: the real one's names, some replaced."""
    stand_in = types.ModuleType(package.__name__)
    for name in ("ApiClient", "ConversationsApi", "ParticipantAttributes"):
        setattr(stand_in, name, replacements.get(name) or getattr(package, name))
    return stand_in


def _attributes_not_serialised(package: types.ModuleType) -> dict[str, Any]:
    class ParticipantAttributes(package.ParticipantAttributes):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            nothing: dict[str, str] = {}
            self.swagger_types, self.attribute_map = nothing, nothing  # the PATCH body would be {}

    return {"ParticipantAttributes": ParticipantAttributes}


def _a_field_lost_in_deserialisation(package: types.ModuleType) -> dict[str, Any]:
    class ApiClient(package.ApiClient):  # type: ignore[misc, name-defined]
        def deserialize(self, response: Any, response_type: Any) -> Any:
            conversation = super().deserialize(response, response_type)
            conversation.participants[0].end_time = None  # as if Genesys's `endTime` were renamed
            return conversation

    return {"ApiClient": ApiClient}


def _the_http_client_refused(package: types.ModuleType) -> dict[str, Any]:
    class ApiClient(package.ApiClient):  # type: ignore[misc, name-defined]
        def set_http_client(self, http_client: Any) -> None:
            raise ValueError("http_client must be an instance of a newer AbstractHttpClient")

    return {"ApiClient": ApiClient}


@pytest.mark.parametrize(
    ("breakage", "step"),
    [
        (_attributes_not_serialised, "the PATCH request: expected"),
        (_a_field_lost_in_deserialisation, "the participant who left: expected"),
        (_the_http_client_refused, "constructing ApiClient and ConversationsApi: ValueError"),
    ],
    ids=["patch-body-empty", "field-lost", "http-client-refused"],
)
def test_the_self_check_names_what_differs(breakage: Any, step: str) -> None:
    package = _loaded_sdk()

    with pytest.raises(sdk_self_check.SdkSelfCheckFailed, match=f"^{step}"):
        sdk_self_check.run(_with(package, **breakage(package)))


# --- Pieces, in this process (the service's SDK is already loaded lean here) ----------------------------


def test_lazy_models_resolve_known_names_and_refuse_unknown_ones() -> None:
    from participant_data.genesys import sdk  # noqa: F401 - loads the SDK

    package = sys.modules[sdk_loader.PACKAGE]
    assert getattr(package, "__lean__", False)
    from PureCloudPlatformClientV2.models import Conversation

    assert Conversation.__module__ == "PureCloudPlatformClientV2.models.conversation"
    assert package.models.Conversation is Conversation
    assert package.Conversation is Conversation
    with pytest.raises(AttributeError):
        _ = package.models.NoSuchModelAnywhere
    with pytest.raises(AttributeError):
        _ = package.models.not_a_class_name


def test_sdk_home_points_home_at_the_shipped_config_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/somewhere")
    with sdk_loader.sdk_home():
        assert os.path.expanduser("~/.genesyscloudpython/config") == str(sdk_loader.SDK_CONFIG_FILE)
    assert os.environ["HOME"] == "/somewhere"
    monkeypatch.delenv("HOME")
    with sdk_loader.sdk_home():
        assert os.environ["HOME"] == str(sdk_loader.SDK_HOME)
    assert "HOME" not in os.environ


def test_the_sdk_formats_log_lines_only_when_its_level_keeps_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from participant_data.genesys import sdk  # noqa: F401 - loads the SDK

    configuration = sys.modules[f"{sdk_loader.PACKAGE}.configuration"].Configuration()
    statement = sys.modules[f"{sdk_loader.PACKAGE}.logger"].LogStatement
    formatted: list[str] = []

    def record(self: Any, *args: Any) -> str:
        formatted.append(self.level)
        return ""

    monkeypatch.setattr(statement, "string", record)
    sdk_logger = configuration.logger
    headers = {"Authorization": "Bearer secret-token"}
    sdk_logger.trace("PATCH", "http://x", None, 202, headers, {})
    sdk_logger.debug("PATCH", "http://x", None, 202, headers)
    assert formatted == []  # level none: nothing built
    previous = sdk_logger.log_level
    sdk_logger.log_level = logging.DEBUG - 5  # the SDK's TRACE
    try:
        sdk_logger.trace("PATCH", "http://x", None, 202, headers, {})
        sdk_logger.debug("PATCH", "http://x", None, 202, headers)
    finally:
        sdk_logger.log_level = previous
    assert formatted == ["trace", "debug"]
