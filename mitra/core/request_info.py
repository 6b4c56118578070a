def client_address(request) -> str:
    """The caller's address. Behind a proxy, REMOTE_ADDR is set by the proxy-aware server config."""
    return request.META.get("REMOTE_ADDR", "") or ""
