# oauth1 area of the provider emulator (being written)
