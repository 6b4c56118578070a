"""Personal data at rest: encryption with rotatable keys, and a keyed hash for lookups.

Values are encrypted with MultiFernet over `MITRA_DATA_KEY` (first key encrypts, every key decrypts,
so keys rotate without rewriting every row at once). A NIK must also be unique and findable without
decrypting every row: `blind_index()` is an HMAC-SHA256 under `MITRA_INDEX_KEY`, which must not
change (changing it needs `mitra reindex`).
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in settings.MITRA_DATA_KEYS])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "MITRA_DATA_KEY must be comma-separated Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def reset_keys() -> None:
    """Forget cached keys (tests that change the settings)."""
    _fernet.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be read with the configured keys.") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    key = settings.MITRA_INDEX_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
