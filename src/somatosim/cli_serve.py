"""``somatosim serve``: the local web dashboard and HTTP API.

The CLI registers :func:`serve_command` as the ``serve`` command. The server binds the
loopback interface (127.0.0.1) by default, reachable only from this machine; bound to any
other address it refuses to start without a token, which every API call must then send as
``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from somatosim.errors import InputError

__all__ = ["TOKEN_ENV", "is_loopback", "serve_command"]

#: Environment variable read for the token when ``--token`` is not given.
TOKEN_ENV = "SOMATOSIM_TOKEN"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names the loopback interface (only this machine can connect).

    Parameters
    ----------
    host : str
        A host name or IP address.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=TOKEN_ENV,
            help=f"Token every API call must send (also read from ${TOKEN_ENV}); required "
            "when --host is not a loopback address.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Start the web dashboard and HTTP API (open the printed address in a browser).

    \f
    Parameters
    ----------
    host : str
        Address to listen on; ``127.0.0.1`` (default) accepts connections from this machine
        only.
    port : int
        TCP port.
    token : str, optional
        Token required on every API call; read from ``$SOMATOSIM_TOKEN`` when not given.
        Mandatory when ``host`` is not a loopback address.

    Raises
    ------
    InputError
        When ``host`` is reachable from other machines and no token is set, or the token is
        too short.
    """
    import uvicorn

    from somatosim.web import create_app

    token = token or os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token.strip()) < 8:
        raise InputError(
            "--token is too short: use at least 8 characters (for example the "
            "output of 'python -c \"import secrets; print(secrets.token_urlsafe())\"')"
        )
    if not is_loopback(host) and token is None:
        raise InputError(
            f"--host {host} makes the server reachable from other machines, so it needs a "
            f"token: pass --token TOKEN or set ${TOKEN_ENV} (or use --host 127.0.0.1)"
        )
    app = create_app(token=token.strip() if token else None)
    everywhere = host.strip("[]") in ("0.0.0.0", "::")
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host.strip("[]"), host)
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    url = f"http://{shown}:{port}/"
    if everywhere:
        typer.echo(
            f"listening on all addresses ({host}) on port {port}; other machines use "
            "this machine's address"
        )
    typer.echo(f"somatosim dashboard: {url}" + (f"#token={token}" if token else ""))
    typer.echo("API description: " + url + "openapi.json  (press Ctrl+C to stop)")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        limit_concurrency=64,
        timeout_keep_alive=5,
    )
