"""Demo accounts: one per role, with the scopes of a real story (DI Yogyakarta, Bantul, Sleman,
Jetis, Trimulyo). Demo data only: a production install has none."""

from .models import User
from .roles import Role

DEMO_PASSWORD = "mitra-demo-2026"

DEMO_USERS = [
    ("admin.nasional", "Administrator Nasional Kemensos", Role.NATIONAL_ADMIN, ""),
    ("dinsos.diy", "Dinas Sosial DI Yogyakarta", Role.PROVINCE_OFFICER, "34"),
    ("dinsos.bantul", "Dinas Sosial Kabupaten Bantul", Role.REGENCY_OFFICER, "3402"),
    ("dinsos.sleman", "Dinas Sosial Kabupaten Sleman", Role.REGENCY_OFFICER, "3404"),
    ("dinsos.jogja", "Dinas Sosial Kota Yogyakarta", Role.REGENCY_OFFICER, "3471"),
    ("tksk.jetis", "TKSK Kecamatan Jetis", Role.DISTRICT_SUPERVISOR, "340209"),
    ("psm.trimulyo", "PSM Desa Trimulyo", Role.WORKER, "3402092004"),
    ("juri.demo", "Juri PSM Berprestasi", Role.JUROR, ""),
    ("juri.dua", "Juri Akademisi", Role.JUROR, ""),
    ("juri.tiga", "Juri IPSM", Role.JUROR, ""),
    ("auditor.demo", "Auditor Internal", Role.AUDITOR, ""),
]


def seed_demo_users(scale: str = "demo", stdout=None) -> list[User]:
    users = []
    for username, full_name, role, scope in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username,
                DEMO_PASSWORD,
                full_name=full_name,
                role=role,
                scope_code=scope,
                email=f"{username}@demo.mitra.invalid",
            )
        users.append(user)
    if stdout:
        stdout.write(f"Demo users: {len(users)} (password: {DEMO_PASSWORD})")
    return users
