"""`make load`: the integration stack's fixtures (emulator in this process, moto_server in a child)."""

from tests.conftest import _service_environment, moto_server  # noqa: F401 - the test suite's environment
from tests.integration.conftest import stack  # noqa: F401 - shared fixtures
