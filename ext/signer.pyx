"""Request signing: HMAC-SHA256 / HMAC-SHA512 over a key schedule kept for life.

This module owns the API secret's derived key material.  ``RequestSigner`` runs the
key through HMAC's ipad/opad blocks once, in its constructor, and keeps only the two
hash states per algorithm; the secret itself is not stored, and the states are
wiped when the object dies.  Every signature is computed with the GIL released, on
stack memory, so threads sign in parallel and nothing is allocated except the
returned ``str`` (the ``*_into`` variants allocate nothing at all).  HMAC-SHA256 is
one-shot (ext/sha.h): the message's whole blocks are hashed where they are, only
the padded tail is laid out (with the GIL held: a copy of at most 63 bytes, the
timestamp digits and the padding, no key material), and the hashing, the outer
block and the hex conversion run with the GIL released.

Rules the class keeps:

1. The key schedule is written once, in ``__cinit__``, and only read afterwards, so
   one signer may be shared by any number of threads.
2. Output is lowercase hex (MEXC rejects uppercase; the others accept either).
3. The secret never appears in ``repr``/``str``/exceptions and cannot be pickled.
4. SHA-256 uses the CPU's SHA extensions when cpuid reports them, portable C
   otherwise; ``portable=True`` forces the portable path (tests cover both).
"""

from engine.secret import Secret

cimport cython
from cpython.buffer cimport PyBUF_SIMPLE
from cpython.buffer cimport PyBUF_WRITABLE
from cpython.buffer cimport PyBuffer_Release
from cpython.buffer cimport PyObject_CheckBuffer
from cpython.buffer cimport PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_Check
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_Check
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t

from engine._sha cimport SHA256_DIGEST
from engine._sha cimport SHA256_HEX
from engine._sha cimport SHA512_DIGEST
from engine._sha cimport SHA512_HEX
from engine._sha cimport hmac256_begin
from engine._sha cimport hmac256_finish
from engine._sha cimport hmac256_hex
from engine._sha cimport hmac256_hex_dec
from engine._sha cimport hmac256_msg
from engine._sha cimport hmac256_prepare
from engine._sha cimport hmac256_prepare_dec
from engine._sha cimport hmac256_setkey
from engine._sha cimport hmac256_sign_hex
from engine._sha cimport hmac512_begin
from engine._sha cimport hmac512_finish
from engine._sha cimport hmac512_setkey
from engine._sha cimport sha256_ctx
from engine._sha cimport sha256_final
from engine._sha cimport sha256_have_shani
from engine._sha cimport sha256_init
from engine._sha cimport sha256_select
from engine._sha cimport sha256_update
from engine._sha cimport sha512_ctx
from engine._sha cimport sha512_final
from engine._sha cimport sha512_init
from engine._sha cimport sha512_update
from engine._sha cimport sha_fmt_i64
from engine._sha cimport sha_hex
from engine._sha cimport sha_wipe

cdef extern int sha512_use_openssl() nogil      # ext/signer_sha512.c (declared here: sha.h is every module's)
cdef extern int sha512_set_openssl(int on) nogil

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object s, Py_ssize_t *size) except NULL
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void *PyUnicode_DATA(object s)

cdef enum:
    I64_DIGITS_MAX = 20                  # "-9223372036854775808"

cdef const char *TS_FIRST = b"timestamp="
cdef const char *TS_NEXT = b"&timestamp="
cdef const char *BYBIT_WS_PREFIX = b"GET/realtime"
# hex(SHA512("")): the body hash of every bodiless Gate request (cancels, reads), known in advance
cdef const char *SHA512_EMPTY_HEX = (b"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                     b"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")

_HAVE_SHANI = bool(sha256_have_shani())

# SHA-512's compression from the libcrypto CPython's hashlib loaded, when it is there and agrees with the
# portable C (ext/signer_sha512.c); importing hashlib first makes sure the library is loaded if it exists.
import hashlib as _hashlib_loads_libcrypto   # noqa: F401,E402
_SHA512_OPENSSL = bool(sha512_use_openssl())


def sha512_openssl():
    """True when SHA-512 (Gate.io's signatures) runs on OpenSSL's compression function, False when on the
    portable C; the results are the same either way."""
    return _SHA512_OPENSSL


def use_sha512_openssl(bint on):
    """Test hook: SHA-512 on OpenSSL's compression (``on``, when it was found) or on the portable C;
    returns whether OpenSSL's is now in use.  Not thread-safe against signing in progress."""
    return bool(sha512_set_openssl(on))


def sha_ni_available():
    """Whether this CPU has the SHA extensions the fast SHA-256 path uses.

    Returns
    -------
    bool
    """
    return _HAVE_SHANI


cdef inline int _borrow(object obj, Py_buffer *view, const char **data, Py_ssize_t *size) except -1:
    """Point ``data``/``size`` at the bytes of ``obj``; 1 when ``view`` must be released.

    ``str`` is signed as UTF-8 (CPython caches it in the object; ASCII strings need
    no conversion at all).  Other bytes-like objects go through the buffer protocol.
    """
    if PyBytes_Check(obj):
        data[0] = PyBytes_AS_STRING(obj)
        size[0] = PyBytes_GET_SIZE(obj)
        return 0
    if PyUnicode_Check(obj):
        data[0] = PyUnicode_AsUTF8AndSize(obj, size)
        return 0
    if PyObject_CheckBuffer(obj):
        PyObject_GetBuffer(obj, view, PyBUF_SIMPLE)
        data[0] = <const char *>view.buf
        size[0] = view.len
        return 1
    raise TypeError(f"expected str or a bytes-like object, got {type(obj).__name__}")


cdef inline void _prepare_binance(hmac256_msg *m, const char *query, size_t n, int64_t timestamp) noexcept nogil:
    """Lay out ``query + "&timestamp=" + digits`` (or ``"timestamp=" + digits`` when empty) for signing."""
    if n:
        hmac256_prepare_dec(m, query, n, TS_NEXT, 11, timestamp)
    else:
        hmac256_prepare_dec(m, query, 0, TS_FIRST, 10, timestamp)


cdef struct _Parts4:
    Py_buffer views[4]
    const char *p[4]
    Py_ssize_t n[4]
    int held[4]


cdef int _release4(_Parts4 *parts) except -1:
    cdef int i
    for i in range(4):
        if parts.held[i]:
            PyBuffer_Release(&parts.views[i])
            parts.held[i] = 0
    return 0


cdef int _borrow4(_Parts4 *parts, object a, object b, object c, object d) except -1:
    """Borrow four byte strings at once (Gate's method, path, query, body); all or none."""
    parts.held[0] = parts.held[1] = parts.held[2] = parts.held[3] = 0
    try:
        parts.held[0] = _borrow(a, &parts.views[0], &parts.p[0], &parts.n[0])
        parts.held[1] = _borrow(b, &parts.views[1], &parts.p[1], &parts.n[1])
        parts.held[2] = _borrow(c, &parts.views[2], &parts.p[2], &parts.n[2])
        parts.held[3] = _borrow(d, &parts.views[3], &parts.p[3], &parts.n[3])
    except BaseException:
        _release4(parts)
        raise
    return 0


cdef char *_target(object out, Py_ssize_t offset, Py_ssize_t need, Py_buffer *view) except NULL:
    """Writable window of ``need`` bytes at ``offset`` in ``out``; ``view`` must be released."""
    PyObject_GetBuffer(out, view, PyBUF_WRITABLE)
    if offset < 0 or offset > view.len - need:
        length = view.len
        PyBuffer_Release(view)
        raise ValueError(f"output needs {need} bytes at offset {offset}, buffer has {length}")
    return <char *>view.buf + offset


cdef object _hex_str(const char *hexdigits, Py_ssize_t n):
    """A new ASCII ``str`` holding ``n`` hex characters: the only allocation of a signature."""
    s = PyUnicode_New(n, 127)
    cdef char *dst = <char *>PyUnicode_DATA(s)
    cdef Py_ssize_t i
    for i in range(n):
        dst[i] = hexdigits[i]
    return s


@cython.auto_pickle(False)
@cython.final
cdef class RequestSigner:
    """HMAC signer for one API secret, for every venue's request format.

    Parameters
    ----------
    secret : str, bytes or engine.secret.Secret
        The API secret.  Only its HMAC key schedule is kept; the value itself is
        neither stored nor shown anywhere.
    portable : bool, optional
        Use the portable C SHA-256 even where the CPU has SHA extensions.

    Raises
    ------
    TypeError
        ``secret`` is not str, bytes or Secret.
    ValueError
        ``secret`` is empty.

    Notes
    -----
    Thread-safe: the key schedule is read-only after construction and every method
    signs on the stack with the GIL released.
    """

    def __cinit__(self, secret, *, bint portable=False):
        cdef const char *key
        cdef Py_ssize_t key_len
        if isinstance(secret, Secret):
            secret = secret.reveal_bytes()
        if isinstance(secret, str):
            secret = (<str>secret).encode("utf-8")
        if not isinstance(secret, bytes):
            raise TypeError("secret must be str, bytes or Secret")
        key = PyBytes_AS_STRING(secret)
        key_len = PyBytes_GET_SIZE(secret)
        if key_len == 0:
            raise ValueError("secret must not be empty")
        self.portable = portable or not _HAVE_SHANI
        hmac256_setkey(&self._k256, <const uint8_t *>key, <size_t>key_len, self.portable)
        hmac512_setkey(&self._k512, <const uint8_t *>key, <size_t>key_len)

    def __dealloc__(self):
        sha_wipe(&self._k256, sizeof(self._k256))
        sha_wipe(&self._k512, sizeof(self._k512))

    def __repr__(self):
        return f"RequestSigner(portable={bool(self.portable)})"

    def __reduce__(self):
        raise TypeError("a RequestSigner cannot be pickled (it holds key material)")

    # ---- C entry points (declared in signer.pxd) --------------------------------

    cdef void hmac256_hex_c(self, const char *msg, size_t n, char *out) noexcept nogil:
        hmac256_hex(&self._k256, msg, n, out)

    cdef void hmac512_hex_c(self, const char *msg, size_t n, char *out) noexcept nogil:
        cdef sha512_ctx c
        cdef uint8_t digest[SHA512_DIGEST]
        hmac512_begin(&self._k512, &c)
        sha512_update(&c, msg, n)
        hmac512_finish(&self._k512, &c, digest)
        sha_hex(digest, SHA512_DIGEST, out)

    cdef void sign_binance_c(self, const char *query, size_t n, int64_t timestamp, char *out) noexcept nogil:
        cdef hmac256_msg m
        _prepare_binance(&m, query, n, timestamp)
        hmac256_sign_hex(&self._k256, &m, out)

    cdef void sign_bybit_c(self, int64_t timestamp, const char *api_key, size_t key_len, int64_t recv_window,
                           const char *payload, size_t n, char *out) noexcept nogil:
        cdef sha256_ctx c
        cdef uint8_t digest[SHA256_DIGEST]
        cdef char digits[I64_DIGITS_MAX]
        hmac256_begin(&self._k256, &c)
        sha256_update(&c, digits, sha_fmt_i64(timestamp, digits))
        sha256_update(&c, api_key, key_len)
        sha256_update(&c, digits, sha_fmt_i64(recv_window, digits))
        sha256_update(&c, payload, n)
        hmac256_finish(&self._k256, &c, digest)
        sha_hex(digest, SHA256_DIGEST, out)

    cdef void sign_bybit_ws_c(self, int64_t expires, char *out) noexcept nogil:
        hmac256_hex_dec(&self._k256, BYBIT_WS_PREFIX, 12, b"", 0, expires, out)

    cdef void sign_gateio_c(self, const char *method, size_t method_len, const char *path, size_t path_len,
                            const char *query, size_t query_len, const char *body, size_t body_len,
                            int64_t timestamp, char *out) noexcept nogil:
        # Gate APIv4: METHOD \n path \n query \n hex(SHA512(body)) \n timestamp (seconds)
        cdef sha512_ctx c
        cdef uint8_t digest[SHA512_DIGEST]
        cdef char body_hex[SHA512_HEX]
        cdef const char *body_hash = SHA512_EMPTY_HEX
        cdef char digits[I64_DIGITS_MAX]
        if body_len:
            sha512_init(&c)
            sha512_update(&c, body, body_len)
            sha512_final(&c, digest)
            sha_hex(digest, SHA512_DIGEST, body_hex)
            body_hash = body_hex
        hmac512_begin(&self._k512, &c)
        sha512_update(&c, method, method_len)
        sha512_update(&c, b"\n", 1)
        sha512_update(&c, path, path_len)
        sha512_update(&c, b"\n", 1)
        sha512_update(&c, query, query_len)
        sha512_update(&c, b"\n", 1)
        sha512_update(&c, body_hash, SHA512_HEX)
        sha512_update(&c, b"\n", 1)
        sha512_update(&c, digits, sha_fmt_i64(timestamp, digits))
        hmac512_finish(&self._k512, &c, digest)
        sha_hex(digest, SHA512_DIGEST, out)

    # ---- Python API: returning str ----------------------------------------------

    def hmac_sha256(self, msg):
        """Hex HMAC-SHA256 of ``msg`` with this secret.

        Parameters
        ----------
        msg : str or bytes-like
            Signed as is (``str`` as UTF-8).

        Returns
        -------
        str
            64 lowercase hex characters.
        """
        cdef Py_buffer view
        cdef const char *p
        cdef Py_ssize_t n
        cdef hmac256_msg m
        cdef char *out
        cdef int held = _borrow(msg, &view, &p, &n)
        try:
            result = PyUnicode_New(SHA256_HEX, 127)
            out = <char *>PyUnicode_DATA(result)
            hmac256_prepare(&m, p, <size_t>n)
            with nogil:
                hmac256_sign_hex(&self._k256, &m, out)
        finally:
            if held:
                PyBuffer_Release(&view)
        return result

    def hmac_sha512(self, msg):
        """Hex HMAC-SHA512 of ``msg`` with this secret (128 lowercase hex characters)."""
        cdef Py_buffer view
        cdef const char *p
        cdef Py_ssize_t n
        cdef char out[SHA512_HEX]
        cdef int held = _borrow(msg, &view, &p, &n)
        with nogil:
            self.hmac512_hex_c(p, <size_t>n, out)
        if held:
            PyBuffer_Release(&view)
        return _hex_str(out, SHA512_HEX)

    def sign_binance(self, query, int64_t timestamp):
        """Binance / MEXC signature of ``query + "&timestamp=" + str(timestamp)``.

        Parameters
        ----------
        query : str or bytes-like
            The parameters already percent-encoded, without ``timestamp`` and
            ``signature``; may be empty (then the payload is ``timestamp=...``).
        timestamp : int
            Milliseconds since the epoch.

        Returns
        -------
        str
            64 lowercase hex characters, the value of ``&signature=``.
        """
        cdef Py_buffer view
        cdef const char *p
        cdef Py_ssize_t n
        cdef hmac256_msg m
        cdef char *out
        cdef int held = _borrow(query, &view, &p, &n)
        try:
            result = PyUnicode_New(SHA256_HEX, 127)
            # Only the message layout (timestamp digits, padding) happens with the GIL
            # held; everything that touches the key runs without it.
            out = <char *>PyUnicode_DATA(result)
            _prepare_binance(&m, p, <size_t>n, timestamp)
            with nogil:
                hmac256_sign_hex(&self._k256, &m, out)
        finally:
            if held:
                PyBuffer_Release(&view)
        return result

    def sign_bybit(self, int64_t timestamp, api_key, int64_t recv_window, payload):
        """Bybit V5 ``X-BAPI-SIGN``: HMAC-SHA256 of ``timestamp + api_key + recv_window + payload``.

        Parameters
        ----------
        timestamp : int
            ``X-BAPI-TIMESTAMP``, milliseconds.
        api_key : str or bytes-like
        recv_window : int
            ``X-BAPI-RECV-WINDOW``, milliseconds.
        payload : str or bytes-like
            The exact JSON body sent (POST) or the query string (GET).

        Returns
        -------
        str
            64 lowercase hex characters.
        """
        cdef Py_buffer kview, pview
        cdef const char *k
        cdef const char *p
        cdef Py_ssize_t kn, pn
        cdef char out[SHA256_HEX]
        cdef int kheld = _borrow(api_key, &kview, &k, &kn)
        cdef int pheld
        try:
            pheld = _borrow(payload, &pview, &p, &pn)
        except BaseException:
            if kheld:
                PyBuffer_Release(&kview)
            raise
        with nogil:
            self.sign_bybit_c(timestamp, k, <size_t>kn, recv_window, p, <size_t>pn, out)
        if kheld:
            PyBuffer_Release(&kview)
        if pheld:
            PyBuffer_Release(&pview)
        return _hex_str(out, SHA256_HEX)

    def sign_bybit_ws(self, int64_t expires):
        """Bybit private WebSocket ``auth`` signature: HMAC-SHA256 of ``"GET/realtime" + str(expires)``.

        Parameters
        ----------
        expires : int
            Expiry time in milliseconds (in the future).

        Returns
        -------
        str
            64 lowercase hex characters.
        """
        cdef char out[SHA256_HEX]
        with nogil:
            self.sign_bybit_ws_c(expires, out)
        return _hex_str(out, SHA256_HEX)

    def sign_gateio(self, method, path, query, body, int64_t timestamp):
        """Gate.io APIv4 ``SIGN``: HMAC-SHA512 of ``method\\npath\\nquery\\nhex(sha512(body))\\ntimestamp``.

        Parameters
        ----------
        method : str or bytes-like
            Uppercase HTTP method.
        path : str or bytes-like
            URL path including ``/api/v4``.
        query : str or bytes-like
            Raw query string as sent (empty when none).
        body : str or bytes-like
            Exact body bytes (empty when none).
        timestamp : int
            Seconds since the epoch, the ``Timestamp`` header.

        Returns
        -------
        str
            128 lowercase hex characters.
        """
        cdef _Parts4 parts
        cdef char out[SHA512_HEX]
        _borrow4(&parts, method, path, query, body)
        with nogil:
            self.sign_gateio_c(parts.p[0], <size_t>parts.n[0], parts.p[1], <size_t>parts.n[1],
                               parts.p[2], <size_t>parts.n[2], parts.p[3], <size_t>parts.n[3], timestamp, out)
        _release4(&parts)
        return _hex_str(out, SHA512_HEX)

    # ---- Python API: into a caller's buffer (no allocation) ----------------------

    def sign_binance_into(self, query, int64_t timestamp, out, Py_ssize_t offset=0):
        """Like :meth:`sign_binance`, writing the 64 hex characters into ``out[offset:offset+64]``.

        Parameters
        ----------
        query : str or bytes-like
        timestamp : int
        out : writable bytes-like (bytearray, memoryview)
        offset : int, optional

        Returns
        -------
        int
            64, the number of bytes written.

        Raises
        ------
        ValueError
            ``out`` is shorter than ``offset + 64``.
        """
        cdef Py_buffer view, oview
        cdef const char *p
        cdef Py_ssize_t n
        cdef hmac256_msg m
        cdef int held = _borrow(query, &view, &p, &n)
        cdef char *dst
        try:
            dst = _target(out, offset, SHA256_HEX, &oview)
        except BaseException:
            if held:
                PyBuffer_Release(&view)
            raise
        _prepare_binance(&m, p, <size_t>n, timestamp)
        with nogil:
            hmac256_sign_hex(&self._k256, &m, dst)
        PyBuffer_Release(&oview)
        if held:
            PyBuffer_Release(&view)
        return SHA256_HEX

    def hmac_sha256_into(self, msg, out, Py_ssize_t offset=0):
        """Hex HMAC-SHA256 of ``msg`` into ``out[offset:offset+64]``; returns 64."""
        cdef Py_buffer view, oview
        cdef const char *p
        cdef Py_ssize_t n
        cdef int held = _borrow(msg, &view, &p, &n)
        cdef char *dst
        try:
            dst = _target(out, offset, SHA256_HEX, &oview)
        except BaseException:
            if held:
                PyBuffer_Release(&view)
            raise
        with nogil:
            self.hmac256_hex_c(p, <size_t>n, dst)
        PyBuffer_Release(&oview)
        if held:
            PyBuffer_Release(&view)
        return SHA256_HEX

    def sign_bybit_into(self, int64_t timestamp, api_key, int64_t recv_window, payload, out,
                        Py_ssize_t offset=0):
        """Like :meth:`sign_bybit`, into ``out[offset:offset+64]``; returns 64."""
        cdef Py_buffer kview, pview, oview
        cdef const char *k
        cdef const char *p
        cdef Py_ssize_t kn, pn
        cdef int kheld = 0, pheld = 0
        cdef char *dst
        try:
            kheld = _borrow(api_key, &kview, &k, &kn)
            pheld = _borrow(payload, &pview, &p, &pn)
            dst = _target(out, offset, SHA256_HEX, &oview)
            with nogil:
                self.sign_bybit_c(timestamp, k, <size_t>kn, recv_window, p, <size_t>pn, dst)
            PyBuffer_Release(&oview)
        finally:
            if kheld:
                PyBuffer_Release(&kview)
            if pheld:
                PyBuffer_Release(&pview)
        return SHA256_HEX

    def sign_bybit_ws_into(self, int64_t expires, out, Py_ssize_t offset=0):
        """Like :meth:`sign_bybit_ws`, into ``out[offset:offset+64]``; returns 64."""
        cdef Py_buffer oview
        cdef char *dst = _target(out, offset, SHA256_HEX, &oview)
        with nogil:
            self.sign_bybit_ws_c(expires, dst)
        PyBuffer_Release(&oview)
        return SHA256_HEX

    def sign_gateio_into(self, method, path, query, body, int64_t timestamp, out, Py_ssize_t offset=0):
        """Like :meth:`sign_gateio`, into ``out[offset:offset+128]``; returns 128."""
        cdef _Parts4 parts
        cdef Py_buffer oview
        cdef char *dst
        _borrow4(&parts, method, path, query, body)
        try:
            dst = _target(out, offset, SHA512_HEX, &oview)
        except BaseException:
            _release4(&parts)
            raise
        with nogil:
            self.sign_gateio_c(parts.p[0], <size_t>parts.n[0], parts.p[1], <size_t>parts.n[1],
                               parts.p[2], <size_t>parts.n[2], parts.p[3], <size_t>parts.n[3], timestamp, dst)
        PyBuffer_Release(&oview)
        _release4(&parts)
        return SHA512_HEX


def sha256_hex(data, bint portable=False):
    """Plain SHA-256 of ``data`` as lowercase hex (a test hook for both compression paths).

    Parameters
    ----------
    data : str or bytes-like
    portable : bool, optional
        Force the portable compression function.

    Returns
    -------
    str
    """
    cdef Py_buffer view
    cdef const char *p
    cdef Py_ssize_t n
    cdef sha256_ctx c
    cdef uint8_t digest[SHA256_DIGEST]
    cdef char out[SHA256_HEX]
    cdef int held = _borrow(data, &view, &p, &n)
    with nogil:
        sha256_init(&c, sha256_select(portable))
        sha256_update(&c, p, <size_t>n)
        sha256_final(&c, digest)
        sha_hex(digest, SHA256_DIGEST, out)
    if held:
        PyBuffer_Release(&view)
    return _hex_str(out, SHA256_HEX)


def sha512_hex(data):
    """Plain SHA-512 of ``data`` as lowercase hex (Gate.io body hash).

    Parameters
    ----------
    data : str or bytes-like

    Returns
    -------
    str
    """
    cdef Py_buffer view
    cdef const char *p
    cdef Py_ssize_t n
    cdef sha512_ctx c
    cdef uint8_t digest[SHA512_DIGEST]
    cdef char out[SHA512_HEX]
    cdef int held = _borrow(data, &view, &p, &n)
    with nogil:
        sha512_init(&c)
        sha512_update(&c, p, <size_t>n)
        sha512_final(&c, digest)
        sha_hex(digest, SHA512_DIGEST, out)
    if held:
        PyBuffer_Release(&view)
    return _hex_str(out, SHA512_HEX)


def repeat_sign_binance(RequestSigner signer, bytes query, int64_t timestamp, Py_ssize_t iterations, out):
    """Run the C entry point ``sign_binance_c`` ``iterations`` times into ``out`` (bench/test hook).

    Measures the signer without the Python call around it; returns None.
    """
    cdef Py_buffer oview
    cdef char *dst = _target(out, 0, SHA256_HEX, &oview)
    cdef const char *p = PyBytes_AS_STRING(query)
    cdef size_t n = <size_t>PyBytes_GET_SIZE(query)
    cdef Py_ssize_t i
    with nogil:
        for i in range(iterations):
            signer.sign_binance_c(p, n, timestamp, dst)
    PyBuffer_Release(&oview)
