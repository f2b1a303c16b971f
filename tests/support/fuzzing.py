"""Shared by the parser fuzz tests: mutations of real messages drawn with hypothesis."""

from hypothesis import strategies as st

# Bytes a mutation writes: JSON structure, digits, letters of literals, and two invalid bytes.
INTERESTING = b'"\\{}[],:0123456789.-etnu \x00\xff'


def mutate(raw: bytes, data) -> bytes:
    """``raw`` with 1 to 4 random edits (bit flip, insert, delete, replace) drawn from ``data``
    (a hypothesis ``st.data()`` object)."""
    buf = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "insert", "delete", "replace"]))
        pos = data.draw(st.integers(0, len(buf)))
        if op == "flip" and pos < len(buf):
            buf[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "insert":
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and pos < len(buf):
            del buf[pos]
        elif pos < len(buf):
            buf[pos] = data.draw(st.sampled_from(INTERESTING))
    return bytes(buf)


def junk():
    """Any small JSON value (for values the parsers must skip)."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.text(max_size=8))
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                        max_leaves=8)


def reorder(obj, rnd):
    """``obj`` (decoded JSON) with the keys of every object shuffled by ``rnd`` (a random.Random)."""
    if isinstance(obj, dict):
        items = [(k, reorder(v, rnd)) for k, v in obj.items()]
        rnd.shuffle(items)
        return dict(items)
    if isinstance(obj, list):
        return [reorder(v, rnd) for v in obj]
    return obj
