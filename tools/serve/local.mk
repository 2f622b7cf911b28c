# latchkey serve (being written)
