# more command-line end-to-end tests (being written)
