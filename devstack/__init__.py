"""The local stack (not deployed): AWS emulator, resources from infra/, seed data,
the API and an event pump that plays the Lambda service. Powers `make run`."""
