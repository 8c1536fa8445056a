"""The embedded stack: a real PostgreSQL, a Kafka-protocol broker, an SMTP sink and every
service as its own process, on one machine with nothing but PyPI packages.

Each server is replaced by an external one when its URL is configured.
"""
