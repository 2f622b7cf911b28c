# digest.so: see modules/digest/README.md (being written)
