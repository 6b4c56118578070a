import pytest
from cryptography.fernet import Fernet
from django.db import connection

from mitra.core import crypto

pytestmark = pytest.mark.django_db


def test_values_round_trip_and_ciphertext_differs_each_time():
    a, b = crypto.encrypt("3402091708850001"), crypto.encrypt("3402091708850001")
    assert a != b and "3402091708850001" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "3402091708850001"


def test_rotation_keeps_old_values_readable(settings):
    old_key = settings.MITRA_DATA_KEYS[0]
    token = crypto.encrypt("rahasia")
    new_key = Fernet.generate_key().decode()
    settings.MITRA_DATA_KEYS = [new_key, old_key]
    crypto.reset_keys()
    try:
        assert crypto.decrypt(token) == "rahasia"
        rotated = crypto.rotate(token)
        settings.MITRA_DATA_KEYS = [new_key]
        crypto.reset_keys()
        assert crypto.decrypt(rotated) == "rahasia"
        with pytest.raises(ValueError):
            crypto.decrypt(token)  # the old key is gone
    finally:
        settings.MITRA_DATA_KEYS = [old_key]
        crypto.reset_keys()


def test_blind_index_is_stable_and_keyed(settings):
    first = crypto.blind_index("3402091708850001")
    assert first == crypto.blind_index("3402091708850001")
    settings.MITRA_INDEX_KEY = "another"
    assert crypto.blind_index("3402091708850001") != first


def test_worker_nik_is_ciphertext_in_the_database(regions):
    from mitra.workers.tests.builders import build_worker

    worker = build_worker()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nik, nik_masked FROM workers_worker WHERE id = %s",
            [worker.pk.hex if connection.vendor == "sqlite" else worker.pk],
        )
        raw, masked = cursor.fetchone()
    assert worker.nik not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert masked == worker.nik[:4] + "********" + worker.nik[-4:]
