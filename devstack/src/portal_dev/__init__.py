"""The supplier portal for development and tests, never installed in a service image.

The embedded stack (``portal_dev.stack``): a real PostgreSQL, a Kafka-protocol broker, an SMTP
sink and every service as its own process, on one machine with nothing but PyPI packages; each
server is replaced by an external one when its URL is configured. ``portal_dev.testing`` gives
tests the same servers and the helpers to drive them.
"""
