"""A local Genesys Cloud emulator: OAuth client credentials, the participant-attributes API, faults.

A loopback HTTP server faithful to the parts of the Genesys Cloud Platform API this project uses
(``docs/emulator.md``). In-process::

    from genesys_emulator import Fault, GenesysEmulator

    with GenesysEmulator() as emu:
        emu.add_client("client-id", "secret")
        conv = emu.create_conversation([{"purpose": "customer", "attributes": {"a": "1"}}])
        emu.inject_fault(Fault(status=503, count=1))
        ...  # point the code under test at emu.base_url

Out of process: ``python -m genesys_emulator --help``, then :class:`EmulatorAdmin` or the admin API.
"""

from .admin_client import EmulatorAdmin, EmulatorAdminError
from .emulator import GenesysEmulator
from .errors import NonLoopbackHostError
from .models import (
    ConversationInfo,
    Fault,
    FaultAction,
    OAuthClient,
    ParticipantInfo,
    ParticipantSpec,
    RecordedRequest,
)
from .platform_api import MAX_REQUEST_BYTES

__all__ = [
    "MAX_REQUEST_BYTES",
    "ConversationInfo",
    "EmulatorAdmin",
    "EmulatorAdminError",
    "Fault",
    "FaultAction",
    "GenesysEmulator",
    "NonLoopbackHostError",
    "OAuthClient",
    "ParticipantInfo",
    "ParticipantSpec",
    "RecordedRequest",
]
