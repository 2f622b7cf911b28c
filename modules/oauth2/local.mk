# oauth2.so: see modules/oauth2/README.md (being written)
