class WireBuffer:
    length: int
    @property
    def buffer(self) -> memoryview: ...
