"""The web UI: server-rendered pages over the same services and sign-in as the API."""
