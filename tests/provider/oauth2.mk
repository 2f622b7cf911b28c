# OAuth 2.0 area of the provider emulator (being written)
