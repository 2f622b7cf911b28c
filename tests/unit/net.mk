# tests/unit/net.mk: owned by the net work
