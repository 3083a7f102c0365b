"""The one place the Genesys SDK (PureCloudPlatformClientV2) is imported.

Everything else imports the SDK's names from here, so how the SDK is loaded can change in one place.
It is loaded lean (the few modules the service uses, the rest on demand, no config-watcher threads), or
by the plain import if the installed SDK's layout does not allow that: see `sdk_loader`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from participant_data.genesys import sdk_loader

if TYPE_CHECKING:  # the SDK ships no type hints: to mypy these are the plain import's (Any) names
    from PureCloudPlatformClientV2 import ApiClient, ConversationsApi, ParticipantAttributes
    from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
    from PureCloudPlatformClientV2.http_request_options import HttpRequestOptions
    from PureCloudPlatformClientV2.rest import ApiException, RESTResponse

    # "lean" or "plain": how the SDK was loaded in this process (the benchmark and the tests read it).
    LOAD_MODE: Literal["lean", "plain"]
else:
    _sdk = sdk_loader.load()
    ApiClient = _sdk.package.ApiClient
    ConversationsApi = _sdk.package.ConversationsApi
    ParticipantAttributes = _sdk.package.ParticipantAttributes
    AbstractHttpClient = _sdk.attribute("abstract_http_client", "AbstractHttpClient")
    HttpRequestOptions = _sdk.attribute("http_request_options", "HttpRequestOptions")
    ApiException = _sdk.attribute("rest", "ApiException")
    RESTResponse = _sdk.attribute("rest", "RESTResponse")
    LOAD_MODE = _sdk.mode

__all__ = [
    "LOAD_MODE",
    "AbstractHttpClient",
    "ApiClient",
    "ApiException",
    "ConversationsApi",
    "HttpRequestOptions",
    "ParticipantAttributes",
    "RESTResponse",
]
