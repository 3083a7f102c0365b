"""Lambda SnapStart runtime hooks: nothing made before the snapshot is reused after a restore.

With SnapStart (template.yaml: `SnapStart: ApplyOn: PublishedVersions`) Lambda runs the init phase once
per published version, snapshots the memory, and resumes every new execution environment from that
snapshot. What the container keeps across invocations (`dependencies()`) must then be renewed per
restored environment: pooled connections point at sockets that no longer exist, and an access token or a
cached secret would be shared by every environment restored from the snapshot. AWS also asks for fresh
entropy after a restore: `random` (the retry jitter) would otherwise draw the same numbers in every
environment, and their retries would fall in step ("Handling uniqueness with Lambda SnapStart").

The hooks come from `snapshot_restore_py`, which the Python managed runtimes include (AWS Lambda docs,
"Lambda SnapStart runtime hooks for Python"), so it is not in requirements.txt; requirements-dev.txt pins
it for the tests. Without it (an older runtime, a local run) the hooks are simply not registered.
Lambda runs them only if this module is imported by the handler's module: app.py does.
"""

from __future__ import annotations

import random

from participant_data.container import dependencies
from participant_data.errors import ConfigurationError
from participant_data.observability import logger


def forget_connections_and_tokens() -> None:
    """Drop the Genesys token, the cached secret, pooled connections and the outbox's AWS clients, if the
    container was built."""
    try:
        container = dependencies()
    except ConfigurationError:
        return  # not configured: nothing was built, so there is nothing to forget
    container.genesys.reset()
    if container.outbox is not None:
        container.outbox.forget()


def before_snapshot() -> None:
    """Keep tokens, secrets and sockets out of the snapshot (init makes none today; priming could)."""
    forget_connections_and_tokens()


def after_restore() -> None:
    """A restored environment starts with fresh entropy and opens its own connections, token, secret."""
    random.seed()  # from os.urandom: this environment's own jitter
    forget_connections_and_tokens()


def register() -> bool:
    """Register the hooks with the runtime; False when `snapshot_restore_py` is not available."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        logger.debug("snapshot_restore_py is not available: SnapStart runtime hooks not registered")
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


HOOKS_REGISTERED = register()
