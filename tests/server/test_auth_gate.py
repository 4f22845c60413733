"""Every verb of every jhops handler requires authentication.

The same rule as jupyterlab/extension-template's ``check_auth.py`` and jupyter_server's start-up warning,
stricter: a verb a jhops class defines must be wrapped by ``@tornado.web.authenticated`` (no
``@allow_unauthenticated`` escape hatch); only what jupyter_server itself provides is exempt (the CORS
preflight ``OPTIONS`` of ``APIHandler``).
"""

from __future__ import annotations

import tornado.web

from jhops.server.base import JhopsHandler
from jhops.server.routes import FALLBACK, ROUTES

# tornado.web.authenticated returns a functools.wraps wrapper whose code object is one and the same for
# every method it decorates: comparing code objects is exact, on every Python version.
_AUTHENTICATED_CODE = tornado.web.authenticated(lambda self: None).__code__
_FRAMEWORK_MODULES = ("tornado.", "jupyter_server.")


def is_authenticated(method: object) -> bool:
    return getattr(method, "__code__", None) is _AUTHENTICATED_CODE and hasattr(method, "__wrapped__")


def _owner(handler: type, name: str) -> type:
    return next(cls for cls in handler.__mro__ if name in vars(cls))


def unauthenticated_verbs(handler: type[tornado.web.RequestHandler]) -> list[str]:
    """``module.Class.verb`` for each verb ``handler`` answers without ``@tornado.web.authenticated``."""
    offenders = []
    for verb in (name.lower() for name in handler.SUPPORTED_METHODS):
        method = getattr(handler, verb)
        if method is tornado.web.RequestHandler._unimplemented_method:
            continue
        if _owner(handler, verb).__module__.startswith(_FRAMEWORK_MODULES) and verb in ("head", "options"):
            # inherited from jupyter_server/tornado: HEAD is unimplemented, OPTIONS is the CORS preflight
            continue
        if not is_authenticated(method):
            offenders.append(f"{handler.__module__}.{handler.__qualname__}.{verb}")
    return offenders


def test_the_route_table_is_not_empty():
    assert ROUTES, "no routes: the gate below would pass vacuously"


def test_every_route_handler_requires_authentication():
    offenders = [name for _, handler in [*ROUTES, FALLBACK] for name in unauthenticated_verbs(handler)]
    assert not offenders, "add @tornado.web.authenticated to: " + ", ".join(offenders)


def test_every_route_handler_is_a_jhops_handler():
    outsiders = [handler.__qualname__ for _, handler in [*ROUTES, FALLBACK] if not issubclass(handler, JhopsHandler)]
    assert not outsiders, f"handlers must derive from JhopsHandler (JSON errors in one place): {outsiders}"


def test_the_gate_catches_undecorated_and_allowlisted_verbs():
    from jupyter_server.auth.decorator import allow_unauthenticated

    def other_decorator(fn):
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        wrapper.__wrapped__ = fn
        return wrapper

    class Open(JhopsHandler):
        def get(self) -> None: ...

        @tornado.web.authenticated
        async def post(self) -> None: ...

        @allow_unauthenticated
        def put(self) -> None: ...

        @other_decorator
        def patch(self) -> None: ...

        @tornado.web.authenticated
        def delete(self) -> None: ...

        def options(self) -> None: ...

    prefix = f"{__name__}.{Open.__qualname__}"
    assert sorted(unauthenticated_verbs(Open)) == [f"{prefix}.{verb}" for verb in ("get", "options", "patch", "put")]
