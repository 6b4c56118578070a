"""The official reference lists (Permensos 08/2012): 26 PMKS kinds, and the PSKS person kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _

PMKS = [
    (1, "Anak Balita Telantar"),
    (2, "Anak Telantar"),
    (3, "Anak yang Berhadapan dengan Hukum"),
    (4, "Anak Jalanan"),
    (5, "Anak dengan Kedisabilitasan"),
    (6, "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah"),
    (7, "Anak yang Memerlukan Perlindungan Khusus"),
    (8, "Lanjut Usia Telantar"),
    (9, "Penyandang Disabilitas"),
    (10, "Tuna Susila"),
    (11, "Gelandangan"),
    (12, "Pengemis"),
    (13, "Pemulung"),
    (14, "Kelompok Minoritas"),
    (15, "Bekas Warga Binaan Lembaga Pemasyarakatan"),
    (16, "Orang dengan HIV/AIDS"),
    (17, "Korban Penyalahgunaan NAPZA"),
    (18, "Korban Trafficking"),
    (19, "Korban Tindak Kekerasan"),
    (20, "Pekerja Migran Bermasalah Sosial"),
    (21, "Korban Bencana Alam"),
    (22, "Korban Bencana Sosial"),
    (23, "Perempuan Rawan Sosial Ekonomi"),
    (24, "Fakir Miskin"),
    (25, "Keluarga Bermasalah Sosial Psikologis"),
    (26, "Komunitas Adat Terpencil"),
]


class WorkerKind(models.TextChoices):
    """The PSKS kinds that are persons (the others are organisations), with official numbers."""

    PSM = "psm", "Pekerja Sosial Masyarakat (PSM)"
    PEKSOS = "peksos", "Pekerja Sosial Profesional"
    TAGANA = "tagana", "Taruna Siaga Bencana (Tagana)"
    WPKS = "wpks", "Wanita Pemimpin Kesejahteraan Sosial"
    PENYULUH = "penyuluh", "Penyuluh Sosial"
    TKSK = "tksk", "Tenaga Kesejahteraan Sosial Kecamatan (TKSK)"


PSKS_NUMBER = {
    WorkerKind.PEKSOS: 1,
    WorkerKind.PSM: 2,
    WorkerKind.TAGANA: 3,
    WorkerKind.WPKS: 9,
    WorkerKind.PENYULUH: 10,
    WorkerKind.TKSK: 11,
}

SEX_CHOICES = [("L", _("male (L)")), ("P", _("female (P)"))]
