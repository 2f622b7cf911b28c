# tests/bench/store.mk
