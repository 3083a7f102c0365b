"""Running the service on a laptop: the local stand-ins for AWS, a Lambda context, and the demo."""
