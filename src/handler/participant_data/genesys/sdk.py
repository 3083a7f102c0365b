"""The one place the Genesys SDK (PureCloudPlatformClientV2) is imported.

Everything else imports the SDK's names from here, so how the SDK is loaded can change in one place.
"""

from PureCloudPlatformClientV2 import ApiClient, ConversationsApi, ParticipantAttributes, TokensApi
from PureCloudPlatformClientV2.abstract_http_client import AbstractHttpClient
from PureCloudPlatformClientV2.http_request_options import HttpRequestOptions
from PureCloudPlatformClientV2.rest import ApiException, RESTResponse

__all__ = [
    "AbstractHttpClient",
    "ApiClient",
    "ApiException",
    "ConversationsApi",
    "HttpRequestOptions",
    "ParticipantAttributes",
    "RESTResponse",
    "TokensApi",
]
