# tests/bench/net.mk
