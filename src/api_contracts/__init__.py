"""The service's contracts, generated from the handler's own validation: the OpenAPI document of its API
and the Genesys Cloud data actions that call it (`python -m api_contracts write|check`)."""
