# tests/unit/config.mk: owned by the config work
