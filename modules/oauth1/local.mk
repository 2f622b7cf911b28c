# oauth1.so: see modules/oauth1/README.md (being written)
