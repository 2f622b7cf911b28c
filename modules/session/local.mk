# session.so: see modules/session/README.md (being written)
