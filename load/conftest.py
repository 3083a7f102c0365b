"""`make load`: the integration stack's fixtures (emulator in this process, moto_server in a child)."""

from tests.conftest import _service_environment  # noqa: F401 - the same environment as the test suite
from tests.integration.conftest import moto_server, stack  # noqa: F401 - shared fixtures
