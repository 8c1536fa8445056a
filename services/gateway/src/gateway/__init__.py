"""The API gateway: identities, credentials, invitations, tokens, and routing to the services."""
