# session area of the provider emulator (being written)
