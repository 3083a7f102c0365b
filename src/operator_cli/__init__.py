"""`participant-data`: the operator's command line over the service's own layers (validation, use cases,
Genesys gateway, deadline, errors): set and read a participant's data, and run the health check."""
