"""Event contracts: types, payload models, JSON schemas and the CloudEvents Kafka envelope."""
