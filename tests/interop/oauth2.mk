# OAuth 2.0 interop against a real authorization server (being written)
