class OrderWriter:
    kind: int
