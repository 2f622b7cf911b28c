# interop tests against real servers (being written)
