"""A Lambda context for running the handler outside Lambda (the demo, tests, the local API)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field


@dataclass
class LocalLambdaContext:
    """The parts of the Lambda context the service and Powertools read; time runs from creation."""

    timeout_seconds: float = 15.0
    function_name: str = "genesys-participant-data-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:genesys-participant-data-local"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/genesys-participant-data-local"
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))
