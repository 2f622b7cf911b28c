# tests/unit/store.mk: owned by the store work
