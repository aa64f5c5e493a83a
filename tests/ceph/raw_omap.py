"""Reads an object's omap with its keys as bytes, through librados' C API
(ctypes): python3-rados decodes omap keys as UTF-8, and the metadata
store's keys are binary (meta/rados/rados_meta_store.h)."""

import ctypes

_lib = ctypes.CDLL("librados.so.2")
_lib.rados_omap_get_next2.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p),
                                      ctypes.POINTER(ctypes.POINTER(ctypes.c_char)), ctypes.POINTER(ctypes.c_size_t),
                                      ctypes.POINTER(ctypes.c_size_t)]
_lib.rados_create_read_op.restype = ctypes.c_void_p
_lib.rados_read_op_omap_get_vals2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint64,
                                              ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ubyte),
                                              ctypes.POINTER(ctypes.c_int)]
_lib.rados_read_op_operate.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.rados_release_read_op.argtypes = [ctypes.c_void_p]
_lib.rados_omap_get_end.argtypes = [ctypes.c_void_p]
_lib.rados_ioctx_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
_lib.rados_ioctx_set_namespace.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_lib.rados_ioctx_destroy.argtypes = [ctypes.c_void_p]
_lib.rados_create2.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint64]
_lib.rados_conf_read_file.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_lib.rados_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
_lib.rados_connect.argtypes = [ctypes.c_void_p]
_lib.rados_shutdown.argtypes = [ctypes.c_void_p]


def _check(rc, what):
    if rc < 0:
        raise OSError(-rc, what)


class RawOmap:
    """A connection to one pool and namespace; omap(oid) -> {bytes: bytes}."""

    def __init__(self, conf, user, keyring, pool, namespace):
        self.cluster = ctypes.c_void_p()
        _check(_lib.rados_create2(ctypes.byref(self.cluster), b"ceph", ("client." + user).encode(), 0), "create")
        _check(_lib.rados_conf_read_file(self.cluster, conf.encode()), "conf")
        _check(_lib.rados_conf_set(self.cluster, b"keyring", keyring.encode()), "keyring")
        _check(_lib.rados_connect(self.cluster), "connect")
        self.io = ctypes.c_void_p()
        _check(_lib.rados_ioctx_create(self.cluster, pool.encode(), ctypes.byref(self.io)), "ioctx")
        _lib.rados_ioctx_set_namespace(self.io, namespace.encode())

    def omap(self, oid):
        out = {}
        after = b""
        while True:
            op = _lib.rados_create_read_op()
            it = ctypes.c_void_p()
            more = ctypes.c_ubyte()
            prval = ctypes.c_int()
            _lib.rados_read_op_omap_get_vals2(op, after, b"", 1000, ctypes.byref(it), ctypes.byref(more),
                                              ctypes.byref(prval))
            rc = _lib.rados_read_op_operate(op, self.io, oid.encode(), 0)
            _lib.rados_release_read_op(op)
            _check(rc, "omap of " + oid)
            last = None
            while True:
                key = ctypes.c_char_p()
                val = ctypes.POINTER(ctypes.c_char)()
                key_len = ctypes.c_size_t()
                val_len = ctypes.c_size_t()
                _check(_lib.rados_omap_get_next2(it, ctypes.byref(key), ctypes.byref(val), ctypes.byref(key_len),
                                                 ctypes.byref(val_len)), "next")
                if not key:
                    break
                k = ctypes.string_at(key, key_len.value)
                out[k] = ctypes.string_at(val, val_len.value) if val else b""
                last = k
            _lib.rados_omap_get_end(it)
            if not more.value or last is None:
                return out
            after = last

    def close(self):
        _lib.rados_ioctx_destroy(self.io)
        _lib.rados_shutdown(self.cluster)
