# lifetime.so: refresh policy (being written)
